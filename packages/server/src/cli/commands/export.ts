import { createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { exportWorkspace } from '../../use-cases/export/export-workspace.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import { version } from '../../version.ts';
import type { Output } from '../output.ts';

export type ExportCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
  cliActor(): string;
};

/**
 * `smarketing export --out <dir or file>`: every fact of one workspace as NDJSON (docs/IMPORT.md,
 * "Workspace exports"), which `smarketing import` reads back into a new workspace. Written as
 * `<file>.partial` and renamed when complete.
 */
export function registerExportCommand(program: Command, helpers: ExportCommandHelpers): void {
  program
    .command('export')
    .description('export every fact of a workspace as NDJSON, for `smarketing import` or other tools')
    .requiredOption('--out <path>', 'a file, or a folder to write <slug>-<time>.ndjson in')
    .option('--workspace <slug>', 'the workspace (default: the only one)')
    .option('--force', 'overwrite an existing file')
    .action(async (options: { out: string; workspace?: string; force?: boolean }, command: Command) => {
      const output = helpers.outputFor(command);
      const started = Date.now();
      const summary = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        const file =
          existsSync(options.out) && statSync(options.out).isDirectory()
            ? join(
                options.out,
                `${workspace.slug}-${deps.clock().toISOString().replaceAll(':', '-').slice(0, 19)}.ndjson`,
              )
            : options.out;
        if (existsSync(file) && !options.force) {
          throw new AppError('CONFLICT', { message: `${file} already exists; use --force to overwrite it.` });
        }
        const partial = `${file}.partial`;
        try {
          const { header, stream } = await exportWorkspace(
            { workspaceId: workspace.id, actor: helpers.cliActor(), appVersion: version },
            deps,
          );
          await pipeline(stream, createWriteStream(partial));
          await rename(partial, file);
          return { file, workspace: header.workspace.slug, counts: header.counts };
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
      });
      const records = Object.values(summary.counts).reduce((sum, n) => sum + n, 0);
      const seconds = (Date.now() - started) / 1000;
      output.result(
        { ...summary, records, seconds },
        `Exported ${summary.workspace} to ${summary.file}: ${records.toLocaleString('en-US')} records in ${seconds.toFixed(1)} s.\n` +
          Object.entries(summary.counts)
            .filter(([, n]) => n > 0)
            .map(([kind, n]) => `  ${kind}: ${n.toLocaleString('en-US')}`)
            .join('\n'),
      );
    });
}
