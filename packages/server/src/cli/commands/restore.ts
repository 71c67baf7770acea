import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../app-error.ts';
import { restoreBackup } from '../../use-cases/backup/restore-backup.ts';
import type { BackupCommandHelpers } from './backup.ts';

/**
 * `smarketing restore <file>` (docs/OPERATIONS.md): loads a backup into an empty database in one
 * transaction and verifies every table against the file's checksums before committing.
 */
export function registerRestoreCommand(program: Command, helpers: BackupCommandHelpers): void {
  program
    .command('restore')
    .description('restore a backup into an empty database (stop the servers first), verifying every table')
    .argument('<file>', 'a file written by `smarketing backup`')
    .option('--force', 'ERASE everything in the database first when it is not empty')
    .action(async (file: string, options: { force?: boolean }, command: Command) => {
      const output = helpers.outputFor(command);
      if (!existsSync(file)) throw new AppError('NOT_FOUND', { message: `${file} does not exist.` });
      const started = Date.now();
      const result = await helpers.withRuntime((deps) =>
        restoreBackup({ from: createReadStream(file), force: options.force ?? false }, deps),
      );
      const rows = result.tables.reduce((sum, table) => sum + table.rows, 0);
      const seconds = (Date.now() - started) / 1000;
      output.result(
        { file, ...result, rows, seconds },
        [
          `Restored ${file} (made ${result.createdAt}): ${rows.toLocaleString('en-US')} rows of ${result.tables.length} tables and ${result.sequences} sequences, every table verified against its checksum, in ${seconds.toFixed(1)} s.`,
          ...(result.erased > 0
            ? [`${result.erased.toLocaleString('en-US')} rows that were there before were erased (--force).`]
            : []),
        ].join('\n'),
      );
    });
}
