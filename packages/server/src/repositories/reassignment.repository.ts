import type { Db } from '../db/client.ts';

export function createReassignmentRepository(_db: Db) {
  return {};
}
