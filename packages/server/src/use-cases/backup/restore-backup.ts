import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import {
  type BackupHeader,
  type BackupManifest,
  type BackupTableSummary,
  backupFormat,
  backupFormatVersion,
  parseControlLine,
  TableDigest,
} from './backup-format.ts';

const insertBatchRows = 1_000;
const insertBatchChars = 4_000_000;

export type RestoreResult = {
  createdAt: string;
  tables: BackupTableSummary[];
  sequences: number;
  /** Rows removed first (restore --force into a database that was not empty). */
  erased: number;
};

/**
 * Restores a backup (see backup-format.ts) into this database, in ONE transaction: everything or
 * nothing. The database must hold no rows (its schema at the backup's migration), unless `force`,
 * which erases every row first. Rows go in exactly as they were (the tables' own triggers are off
 * for the transaction), sequences are set to their saved values, and before committing every
 * table is read back and must have the manifest's row count and SHA-256.
 */
export async function restoreBackup(
  options: { from: Readable; force?: boolean },
  deps: Pick<Deps, 'database'>,
): Promise<RestoreResult> {
  const lines = createInterface({
    input: options.from.pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const iterator = lines[Symbol.asyncIterator]();
  try {
    return await deps.database.db.transaction(async (tx) => {
      const { backup } = createRepositories(tx);
      await backup.pinSessionSettings();
      let lineNumber = 1;
      const first = await iterator.next();
      const header = checkHeader(first.done ? undefined : first.value);
      const target = await backup.schemaVersion();
      if (header.schema.migrations !== target.migrations || header.schema.lastHash !== target.lastHash) {
        throw new AppError('CONFLICT', {
          message:
            `The backup was made at schema migration ${header.schema.migrations} and this database is at ${target.migrations}. ` +
            'Restore it with the Smarketing version that made it (its `smarketing migrate` then upgrades the restored database).',
          details: { backupSchema: header.schema, databaseSchema: target },
        });
      }

      const tables = await backup.listTables();
      const known = new Set(tables.map((table) => table.name));
      const occupied: { name: string; rows: number }[] = [];
      for (const table of tables) {
        const rows = await backup.countRows(table.name);
        if (rows > 0) occupied.push({ name: table.name, rows });
      }
      const erased = occupied.reduce((sum, table) => sum + table.rows, 0);
      if (occupied.length > 0) {
        if (!options.force) {
          throw new AppError('CONFLICT', {
            message:
              `The database is not empty (${occupied
                .slice(0, 5)
                .map((table) => `${table.rows} rows in ${table.name}`)
                .join(', ')}${occupied.length > 5 ? ', …' : ''}). ` +
              'Restore into an empty database, or pass --force to ERASE EVERYTHING in it first.',
            details: { occupied },
          });
        }
        await backup.truncateAll(tables.map((table) => table.name));
      }
      for (const table of tables) await backup.setUserTriggers(table.name, false);

      const restored = new Map<string, BackupTableSummary>();
      let current: { name: string; digest: TableDigest; pending: string[]; chars: number } | undefined;
      let manifest: BackupManifest | undefined;
      const flush = async () => {
        if (!current || current.pending.length === 0) return;
        await backup.insertRows(current.name, current.pending);
        current.pending = [];
        current.chars = 0;
      };

      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        lineNumber += 1;
        const line = next.value;
        if (line === '') continue;
        const control = parseControlLine(line, lineNumber);
        if (!control) {
          if (!current) throw damaged(lineNumber, 'a row outside of a table');
          current.digest.add(line);
          current.pending.push(line);
          current.chars += line.length;
          if (current.pending.length >= insertBatchRows || current.chars >= insertBatchChars) await flush();
          continue;
        }
        if (manifest) throw damaged(lineNumber, 'a line after the manifest');
        if (control.$type === 'table') {
          if (current)
            throw damaged(lineNumber, `table ${String(control.name)} before the end of ${current.name}`);
          const name = String(control.name);
          if (!known.has(name)) {
            throw new AppError('CONFLICT', {
              message: `The backup has a table "${name}" this database does not have.`,
              details: { table: name },
            });
          }
          if (restored.has(name)) throw damaged(lineNumber, `table ${name} twice`);
          current = { name, digest: new TableDigest(), pending: [], chars: 0 };
        } else if (control.$type === 'table-end') {
          if (!current || control.name !== current.name) throw damaged(lineNumber, 'an unexpected table end');
          await flush();
          const summary = { name: current.name, rows: current.digest.rows, sha256: current.digest.hex() };
          if (summary.rows !== control.rows || summary.sha256 !== control.sha256) {
            throw new AppError('VALIDATION_FAILED', {
              message: `The rows of ${summary.name} in the backup do not match their checksum; the file is damaged.`,
              details: {
                table: summary.name,
                expected: { rows: control.rows, sha256: control.sha256 },
                found: summary,
              },
            });
          }
          restored.set(summary.name, summary);
          current = undefined;
        } else if (control.$type === 'manifest') {
          if (current) throw damaged(lineNumber, `the manifest before the end of ${current.name}`);
          manifest = control as unknown as BackupManifest;
        } else {
          throw damaged(lineNumber, `an unknown line type "${String(control.$type)}"`);
        }
      }
      if (!manifest) {
        throw new AppError('VALIDATION_FAILED', {
          message:
            'The backup ends before its manifest: the file is incomplete (interrupted copy or download?).',
        });
      }
      for (const expected of manifest.tables) {
        const found = restored.get(expected.name);
        if (!found || found.rows !== expected.rows || found.sha256 !== expected.sha256) {
          throw new AppError('VALIDATION_FAILED', {
            message: `The manifest and the rows of ${expected.name} disagree; the file is damaged.`,
            details: { table: expected.name },
          });
        }
      }
      for (const sequence of manifest.sequences) await backup.setSequence(sequence);

      // What was written is what the backup holds: read every table back.
      for (const table of tables) {
        const expected = restored.get(table.name) ?? {
          name: table.name,
          rows: 0,
          sha256: new TableDigest().hex(),
        };
        const digest = new TableDigest();
        await backup.readTable(table, insertBatchRows, async (batch) => {
          for (const line of batch) digest.add(line);
        });
        if (digest.rows !== expected.rows || digest.hex() !== expected.sha256) {
          throw new AppError('INTERNAL', {
            message: `After restoring, ${table.name} does not read back as in the backup (${digest.rows} rows, expected ${expected.rows}); nothing was restored.`,
            details: { table: table.name },
          });
        }
      }
      for (const table of tables) await backup.setUserTriggers(table.name, true);
      return {
        createdAt: header.createdAt,
        tables: manifest.tables,
        sequences: manifest.sequences.length,
        erased,
      };
    });
  } catch (error) {
    if (isZlibError(error)) {
      throw new AppError('VALIDATION_FAILED', {
        message: `The backup cannot be decompressed (${(error as Error).message}); it is not a gzip file or it is damaged.`,
      });
    }
    throw error;
  } finally {
    lines.close();
    options.from.destroy();
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function checkHeader(line: string | undefined): BackupHeader {
  let value: unknown;
  try {
    value = line === undefined ? undefined : JSON.parse(line);
  } catch {}
  const header = value as Partial<BackupHeader> | undefined;
  if (header?.$type !== 'header' || header.format !== backupFormat) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'This is not a Smarketing backup (its first line is not a smarketing-backup header).',
    });
  }
  if (header.formatVersion !== backupFormatVersion) {
    throw new AppError('VALIDATION_FAILED', {
      message: `The backup has format version ${String(header.formatVersion)}; this Smarketing reads version ${backupFormatVersion}.`,
    });
  }
  return header as BackupHeader;
}

function damaged(line: number, what: string): AppError {
  return new AppError('VALIDATION_FAILED', {
    message: `The backup is damaged: ${what} at line ${line}.`,
    details: { line },
  });
}
