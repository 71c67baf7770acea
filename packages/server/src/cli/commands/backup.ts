import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createBackup } from '../../use-cases/backup/create-backup.ts';
import { version } from '../../version.ts';
import type { Output } from '../output.ts';

export type BackupCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

/**
 * `smarketing backup <file>` (docs/OPERATIONS.md) opens the database itself, or, with `--url`, asks the running server for one (`POST /admin/v1/backup`
 * with the operator token from SMARKETING_OPERATOR_TOKEN): that is how to back up an embedded
 * PGlite database while its server runs, since only one process may open it. The file is written
 * as `<file>.partial` and renamed when complete, so a file with the final name is always whole.
 */
export function registerBackupCommand(program: Command, helpers: BackupCommandHelpers): void {
  program
    .command('backup')
    .description('write a consistent backup of the whole database (every workspace) to a file, while serving')
    .argument('<file>', 'where to write it (gzip-compressed NDJSON, e.g. smarketing-2026-11-23.ndjson.gz)')
    .option('--url <url>', 'ask this running server for the backup (needs SMARKETING_OPERATOR_TOKEN)')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { url?: string; force?: boolean }, command: Command) => {
      const output = helpers.outputFor(command);
      if (existsSync(file) && !options.force) {
        throw new AppError('CONFLICT', { message: `${file} already exists; use --force to overwrite it.` });
      }
      const partial = `${file}.partial`;
      const started = Date.now();
      try {
        const summary = options.url
          ? await downloadBackup(options.url, partial)
          : await helpers.withRuntime(async (deps) => {
              const manifest = await createBackup(
                { to: createWriteStream(partial), appVersion: version },
                deps,
              );
              return {
                tables: manifest.tables.length,
                rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
              };
            });
        await rename(partial, file);
        const seconds = (Date.now() - started) / 1000;
        output.result(
          { file, ...summary, seconds },
          `Wrote ${file}: ${summary.rows.toLocaleString('en-US')} rows of ${summary.tables} tables in ${seconds.toFixed(1)} s.`,
        );
      } catch (error) {
        await rm(partial, { force: true });
        throw explainLocked(error);
      }
    });
}

async function downloadBackup(url: string, to: string): Promise<{ tables: number; rows: number }> {
  const token = process.env.SMARKETING_OPERATOR_TOKEN;
  if (!token) {
    throw new AppError('VALIDATION_FAILED', {
      message:
        'Set SMARKETING_OPERATOR_TOKEN (the server’s operator token) to back up through a running server.',
    });
  }
  let endpoint: URL;
  try {
    endpoint = new URL('/admin/v1/backup', url);
  } catch {
    throw new AppError('VALIDATION_FAILED', {
      message: `--url ${url} is not a URL (e.g. http://127.0.0.1:3000).`,
    });
  }
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  }).catch((error: unknown) => {
    throw new AppError('UNAVAILABLE', {
      message: `The server at ${endpoint.origin} does not answer (${error instanceof Error ? error.message : String(error)}).`,
    });
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    throw new AppError(response.status === 401 || response.status === 403 ? 'UNAUTHORIZED' : 'UNAVAILABLE', {
      message: `The server refused the backup (${response.status}): ${body?.error?.message ?? response.statusText}`,
    });
  }
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    createWriteStream(to),
  );
  return {
    tables: Number(response.headers.get('x-smarketing-backup-tables') ?? 0),
    rows: Number(response.headers.get('x-smarketing-backup-rows') ?? 0),
  };
}

function explainLocked(error: unknown): unknown {
  if (error instanceof AppError && error.code === 'CONFLICT' && /is in use by process/.test(error.message)) {
    return new AppError('CONFLICT', {
      message: `${error.message} To back up while it runs: smarketing backup <file> --url http://<host>:<port> with SMARKETING_OPERATOR_TOKEN set.`,
      details: error.details,
    });
  }
  return error;
}
