import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import {
  type BackupHeader,
  type BackupManifest,
  type BackupTableSummary,
  backupFormat,
  backupFormatVersion,
  TableDigest,
} from './backup-format.ts';

const batchSize = 2_000;

/**
 * Writes a backup of the whole database (every workspace) to `to`, gzip-compressed NDJSON (see
 * backup-format.ts), from ONE read-only REPEATABLE READ transaction: the file is the database as
 * it was at one instant, while the server goes on serving (on PostgreSQL writers are not blocked;
 * PGlite is one connection, so its writers wait for the backup's reads). Resolves with the
 * manifest once the last byte is written; `to` is ended.
 */
export async function createBackup(
  options: { to: Writable; appVersion: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<BackupManifest> {
  const gzip = createGzip();
  const written = pipeline(gzip, options.to);
  const write = async (text: string) => {
    if (!gzip.write(text)) await Promise.race([once(gzip, 'drain'), written]);
  };
  try {
    const manifest = await deps.database.db.transaction(
      async (tx) => {
        const { backup } = createRepositories(tx);
        await backup.pinSessionSettings();
        const header: BackupHeader = {
          $type: 'header',
          format: backupFormat,
          formatVersion: backupFormatVersion,
          createdAt: deps.clock().toISOString(),
          database: deps.database.kind,
          appVersion: options.appVersion,
          schema: await backup.schemaVersion(),
        };
        await write(`${JSON.stringify(header)}\n`);
        const tables: BackupTableSummary[] = [];
        for (const table of await backup.listTables()) {
          await write(`${JSON.stringify({ $type: 'table', name: table.name })}\n`);
          const digest = new TableDigest();
          await backup.readTable(table, batchSize, async (lines) => {
            for (const line of lines) digest.add(line);
            await write(`${lines.join('\n')}\n`);
          });
          const summary = { name: table.name, rows: digest.rows, sha256: digest.hex() };
          tables.push(summary);
          await write(`${JSON.stringify({ $type: 'table-end', ...summary })}\n`);
        }
        // Read after the snapshot was taken, so each is at least the last value any row uses.
        const sequences = await backup.listSequences();
        const manifest: BackupManifest = { $type: 'manifest', tables, sequences };
        await write(`${JSON.stringify(manifest)}\n`);
        return manifest;
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    gzip.end();
    await written;
    return manifest;
  } catch (error) {
    gzip.destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => {});
    throw error;
  }
}
