import { createHash, type Hash } from 'node:crypto';
import { AppError } from '../../app-error.ts';

/**
 * The backup file: gzip-compressed NDJSON (one JSON value per line, UTF-8), open and readable with
 * `zcat file | head`. Control lines carry a `$type`; every other line is one row of the table
 * opened last, as PostgreSQL's `to_jsonb(row)` text. In order:
 *
 *   {"$type":"header","format":"smarketing-backup","formatVersion":1,"createdAt",…,"schema":{"migrations","lastHash"}}
 *   {"$type":"table","name":"workspaces"}        then that table's rows, in primary-key order
 *   {"$type":"table-end","name":"workspaces","rows":2,"sha256":"…"}
 *   … every table, parents before children …
 *   {"$type":"manifest","tables":[{"name","rows","sha256"}…],"sequences":[{"name","lastValue","isCalled"}…]}
 *
 * `sha256` is the SHA-256 of the table's row lines, each followed by "\n". A file without its
 * manifest is incomplete and is refused.
 */
export const backupFormat = 'smarketing-backup';
export const backupFormatVersion = 1;

type BackupSchemaVersion = { migrations: number; lastHash: string | null };

export type BackupHeader = {
  $type: 'header';
  format: typeof backupFormat;
  formatVersion: number;
  createdAt: string;
  database: 'pglite' | 'postgres';
  appVersion: string;
  schema: BackupSchemaVersion;
};

export type BackupTableSummary = { name: string; rows: number; sha256: string };

export type BackupManifest = {
  $type: 'manifest';
  tables: BackupTableSummary[];
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
};

/** Counts and hashes a table's row lines as they are written or read. */
export class TableDigest {
  rows = 0;
  private readonly hash: Hash = createHash('sha256');

  add(line: string): void {
    this.rows += 1;
    this.hash.update(line);
    this.hash.update('\n');
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

/** The control value of a line, or undefined for a row line. */
export function parseControlLine(line: string, lineNumber: number): Record<string, unknown> | undefined {
  if (!line.startsWith('{"$type"')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw new AppError('VALIDATION_FAILED', {
    message: `Line ${lineNumber} of the backup is not valid JSON; the file is damaged.`,
    details: { line: lineNumber },
  });
}
