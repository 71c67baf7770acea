import type { Db } from '../db/client.ts';

export function createExportRepository(_db: Db) {
  return {};
}
