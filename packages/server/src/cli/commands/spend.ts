import { type Command, Option } from 'commander';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { type CsvProblem, detectCsvFormat, readCsvRecords } from '../../ingest/csv/read-csv.ts';
import {
  type CampaignSpendInput,
  checkSpendRows,
  importCampaignSpend,
  maxSpendRowsPerCall,
} from '../../use-cases/campaign-spend/import-campaign-spend.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type SpendCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
  cliActor(): string;
};

const columns = ['campaign', 'source', 'period_start', 'period_end', 'amount', 'currency'] as const;
const required = ['campaign', 'period_start', 'period_end', 'amount', 'currency'] as const;
/** Problems listed in the error before "and N more". */
const shownProblems = 50;

type LineProblem = { line: number; message: string };

/** The spend rows of a CSV file with the line each starts on, or every problem with its line. */
async function readSpendFile(path: string): Promise<{
  rows: { line: number; row: CampaignSpendInput }[];
  problems: LineProblem[];
  ignored: string[];
}> {
  let format: Awaited<ReturnType<typeof detectCsvFormat>>;
  try {
    format = await detectCsvFormat(path);
  } catch (error) {
    throw new AppError('NOT_FOUND', {
      message: `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    });
  }
  const problems: LineProblem[] = [];
  const rows: { line: number; row: CampaignSpendInput }[] = [];
  let header: Map<string, number> | undefined;
  let ignored: string[] = [];
  const onProblem = (problem: CsvProblem) => problems.push({ line: problem.line, message: problem.message });
  for await (const record of readCsvRecords(path, format, { onProblem })) {
    if (header === undefined) {
      const names = record.values.map((value) => value.trim().toLowerCase());
      header = new Map(names.map((name, index) => [name, index]));
      const missing = required.filter((name) => !header?.has(name));
      if (missing.length > 0) {
        throw new AppError('VALIDATION_FAILED', {
          message: `line ${record.line}: the header lacks ${missing.join(', ')}; expected the columns ${columns.join(', ')} (source optional).`,
          details: { missing, expected: columns },
        });
      }
      ignored = names.filter((name) => name !== '' && !(columns as readonly string[]).includes(name));
      continue;
    }
    const value = (name: (typeof columns)[number]) => {
      const index = header?.get(name);
      return index === undefined ? '' : (record.values[index] ?? '');
    };
    rows.push({
      line: record.line,
      row: {
        campaign: value('campaign'),
        source: value('source'),
        periodStart: value('period_start'),
        periodEnd: value('period_end'),
        amount: value('amount'),
        currency: value('currency'),
      },
    });
  }
  if (header === undefined) {
    throw new AppError('VALIDATION_FAILED', {
      message: `${path} is empty; expected a header line with ${columns.join(', ')}.`,
    });
  }
  return { rows, problems, ignored };
}

/**
 * `smarketing spend import <file.csv>`: campaign spend for ROI, one row per campaign (and
 * optionally source) and period. Every line is checked before anything is stored; the error lists
 * each bad line. Importing the same file again replaces the same rows (idempotent).
 */
export function registerSpendCommand(program: Command, helpers: SpendCommandHelpers): void {
  const spend = program.command('spend').description('campaign spend, set against attributed revenue (ROI)');
  spend
    .command('import')
    .description(
      `import spend from a CSV file with the columns ${columns.join(', ')} (source optional; dates YYYY-MM-DD, inclusive, in the agreement time zone)`,
    )
    .argument('<file>', 'the CSV file')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (file: string, options: { workspace?: string }, command: Command) => {
      const output = helpers.outputFor(command);
      const read = await readSpendFile(file);
      const checked = checkSpendRows(read.rows.map((entry) => entry.row));
      const problems = [
        ...read.problems,
        ...(checked.ok
          ? []
          : checked.problems.map((problem) => ({
              line: read.rows[problem.row]?.line ?? 0,
              message: problem.message.replace(
                /of row (\d+)$/,
                (_, row: string) => `of line ${read.rows[Number(row) - 1]?.line ?? row}`,
              ),
            }))),
      ].sort((a, b) => a.line - b.line);
      if (problems.length > 0) {
        const shown = problems
          .slice(0, shownProblems)
          .map((problem) => `  line ${problem.line}: ${problem.message}`);
        const more =
          problems.length > shownProblems ? [`  … and ${problems.length - shownProblems} more`] : [];
        throw new AppError('VALIDATION_FAILED', {
          message: [`${file}: ${problems.length} problem(s); nothing was imported.`, ...shown, ...more].join(
            '\n',
          ),
          details: { problems },
        });
      }
      if (read.rows.length === 0) {
        output.result(
          { received: 0, inserted: 0, updated: 0 },
          `${file} has no spend rows; nothing to import.`,
        );
        return;
      }
      const outcome = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        const totals = { received: 0, inserted: 0, updated: 0 };
        for (let start = 0; start < read.rows.length; start += maxSpendRowsPerCall) {
          const part = await importCampaignSpend(
            {
              workspaceId: workspace.id,
              rows: read.rows.slice(start, start + maxSpendRowsPerCall).map((entry) => entry.row),
              importedBy: helpers.cliActor(),
            },
            deps,
          );
          totals.received += part.received;
          totals.inserted += part.inserted;
          totals.updated += part.updated;
        }
        return totals;
      });
      if (read.ignored.length > 0) output.note(`Ignored the columns ${read.ignored.join(', ')}.`);
      output.result(
        outcome,
        `Imported ${outcome.received} spend row(s) from ${file}: ${outcome.inserted} new, ${outcome.updated} replaced.`,
      );
    });
}
