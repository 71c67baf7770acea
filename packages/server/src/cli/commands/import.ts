import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
// Switch to '@smarketing/core' once core's index exports the importer.
import {
  type DateFormat,
  dateFormats,
  type ImportKind,
  importKinds,
  type LayoutId,
  layoutIds,
} from '@smarketing/core';
import { Presets, SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import { AppError } from '../../app-error.ts';
import { type ImportCsvResult, type ImportProgress, importCsv } from '../../use-cases/imports/import-csv.ts';
import {
  type ImportWorkspaceResult,
  importWorkspaceExport,
} from '../../use-cases/imports/import-workspace-export.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import { createOutput } from '../output.ts';
import { withRuntime } from '../with-runtime.ts';

/**
 * `smarketing import <file>`: a CSV export from HubSpot or Salesforce, a file in the generic
 * layout, or one of the known data sets, checked whole before anything is written (see
 * docs/IMPORT.md).
 */
type ImportCommandOptions = {
  kind?: ImportKind | 'workspace';
  layout?: LayoutId;
  map?: string;
  dateFormat?: DateFormat;
  dryRun?: boolean;
  rejects?: string;
  source?: string;
  rep?: string;
  workspace?: string;
};

export function registerImportCommand(program: Command, helpers: { cliActor(): string }): Command {
  return program
    .command('import')
    .description(
      'import a CSV export (HubSpot, Salesforce, the generic layout, or a known data set) or a workspace export',
    )
    .argument('<file>', 'the CSV file, or an NDJSON workspace export (`smarketing export`)')
    .addOption(
      new Option(
        '--kind <kind>',
        'what the rows are (default: detected from the header); workspace: a workspace export',
      ).choices([...importKinds, 'workspace']),
    )
    .addOption(
      new Option('--layout <layout>', 'whose columns they are (default: detected from the header)').choices(
        layoutIds,
      ),
    )
    .option('--map <file>', 'a YAML or JSON file mapping columns to fields, overriding detection')
    .addOption(
      new Option(
        '--date-format <format>',
        'how to read dates like 03/04/2024 (default: from the file)',
      ).choices(dateFormats),
    )
    .option('--dry-run', 'check the file and count what would change; store nothing')
    .option('--rejects <file>', 'where to write skipped rows (default: <file>.rejects.csv)')
    .option('--source <name>', 'the system the file comes from: prefix of its ids (default: from the layout)')
    .option('--rep <id>', 'the rep of touches whose rows name none (bank-marketing: default call-centre)')
    .addOption(
      new Option(
        '--workspace <slug>',
        'the workspace (default: the only one; for a workspace export: the new workspace, default its exported slug)',
      ),
    )
    .action(async (file: string, options: ImportCommandOptions, command: Command) => {
      const json = Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
      const output = createOutput(json);
      if (options.kind === 'workspace' || (options.kind === undefined && (await isWorkspaceExport(file)))) {
        if (options.dryRun) {
          throw new AppError('VALIDATION_FAILED', {
            message:
              '--dry-run is for CSV files; a workspace export is checked whole before anything is kept.',
          });
        }
        const result = await withRuntime((deps) =>
          importWorkspaceExport(
            { from: createReadStream(file), slug: options.workspace, actor: helpers.cliActor() },
            deps,
          ),
        );
        output.result(result, formatWorkspaceSummary(file, result));
        return;
      }
      const kind = options.kind;
      const map = options.map ? { text: await readMap(options.map), name: options.map } : undefined;
      const progress = json || !process.stderr.isTTY ? undefined : createProgressBar();
      let result: ImportCsvResult;
      try {
        result = await withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return importCsv(
            {
              workspaceId: workspace.id,
              file,
              kind,
              layout: options.layout,
              map,
              dateFormat: options.dateFormat,
              source: options.source,
              rep: options.rep,
              dryRun: options.dryRun,
              rejectsFile: options.rejects,
              onProgress: progress?.update,
            },
            deps,
          );
        });
      } finally {
        progress?.stop();
      }
      output.result(result, formatSummary(result));
    });
}

/** A workspace export starts with its header line: `{"kind":"header","format":"smarketing-workspace-export"`. */
async function isWorkspaceExport(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new AppError('NOT_FOUND', { message: `${file} cannot be read.`, cause: error });
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(80), 0, 80, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .startsWith('{"kind":"header","format":"smarketing-workspace-export"');
  } finally {
    await handle.close();
  }
}

function formatWorkspaceSummary(file: string, result: ImportWorkspaceResult): string {
  const records = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
  if (result.alreadyImported) {
    return `${file} is already imported in workspace ${result.slug}: nothing was added (${number(records)} records checked).`;
  }
  const lines = [`Imported ${file} into the new workspace ${result.slug}: ${number(records)} records.`];
  for (const [kind, n] of Object.entries(result.counts)) if (n > 0) lines.push(`  ${kind}: ${number(n)}`);
  if (result.replay) {
    lines.push(
      `  replayed under agreement version ${result.replay.agreementVersion}: ${number(result.replay.contacts)} contacts, ${number(result.replay.transitions)} transitions`,
    );
  }
  if (result.adminToken) lines.push(`  first admin key (shown once): ${result.adminToken}`);
  return lines.join('\n');
}

async function readMap(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError('NOT_FOUND', { message: `The map ${file} cannot be read.`, cause: error });
  }
}

/** A progress bar on stderr with rows per second, one run per phase (checking, importing). */
function createProgressBar() {
  const bar = new SingleBar(
    {
      format: '  {phase} |{bar}| {percentage}% | {rows} rows | {speed} rows/s',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let phase: ImportProgress['phase'] | undefined;
  let phaseStarted = 0;
  return {
    update(progress: ImportProgress) {
      const now = Date.now();
      if (progress.phase !== phase) {
        if (phase) bar.stop();
        phase = progress.phase;
        phaseStarted = now;
        bar.start(Math.max(progress.totalBytes, 1), 0, { phase: phase.padEnd(9), rows: 0, speed: 0 });
      }
      const seconds = (now - phaseStarted) / 1000;
      bar.update(Math.min(progress.bytes, progress.totalBytes), {
        rows: progress.rows.toLocaleString('en-US'),
        speed: seconds > 0 ? Math.round(progress.rows / seconds).toLocaleString('en-US') : '–',
      });
    },
    stop() {
      if (phase) bar.stop();
    },
  };
}

const number = (value: number) => value.toLocaleString('en-US');

function formatSummary(result: ImportCsvResult): string {
  const lines: string[] = [];
  lines.push(
    `${result.dryRun ? 'Dry run of' : 'Imported'} ${result.file} as ${result.label} (--layout ${result.layout} --kind ${result.kind}, source ${result.source})`,
  );
  if (result.chosenBy === 'detection' && result.detection[0])
    lines.push(`  detected: ${result.detection[0]}`);
  lines.push(
    `  read: ${result.encoding}, delimiter ${result.delimiter} (${result.delimiterReason}), dates ${result.dateFormat}`,
  );
  if (result.ignored.length > 0) {
    const shown = result.ignored.slice(0, 6).map((c) => `"${c.header}"`);
    if (result.ignored.length > shown.length) shown.push(`… (${result.ignored.length} in all)`);
    lines.push(`  columns not imported: ${shown.join(', ')}`);
  }
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  const { rows } = result;
  lines.push(
    `  rows: ${number(rows.total)} read, ${number(rows.mapped)} mapped, ${number(rows.skipped)} skipped${rows.rejected > 0 ? `, ${number(rows.rejected)} with records the workspace rejected` : ''}`,
  );
  const labels = {
    contacts: 'contacts',
    touches: 'touches',
    dealEvents: 'deal events',
    activities: 'activities',
  };
  for (const [list, counts] of Object.entries(result.records)) {
    if (!counts) continue;
    const parts = [`${number(counts.created)} ${result.dryRun ? 'would be created' : 'created'}`];
    if (counts.updated !== undefined) parts.push(`${number(counts.updated)} updated`);
    parts.push(`${number(counts.duplicates)} unchanged`, `${number(counts.rejected)} rejected`);
    lines.push(`  ${labels[list as keyof typeof labels]}: ${parts.join(', ')}`);
  }
  if (result.reasons.length > 0) {
    lines.push('  skipped or rejected, by reason:');
    for (const reason of result.reasons.slice(0, 10)) {
      lines.push(`    ${number(reason.rows).padStart(7)}  ${reason.code}  (e.g. ${reason.example})`);
    }
  }
  if (result.rejectsFile) lines.push(`  rejected rows written to ${result.rejectsFile}`);
  lines.push(
    `  ${number(rows.total)} rows in ${result.seconds.toFixed(1)} s${result.rowsPerSecond ? ` (${number(result.rowsPerSecond)} rows/s)` : ''}${result.dryRun ? '; dry run: nothing was stored' : ''}`,
  );
  return lines.join('\n');
}
