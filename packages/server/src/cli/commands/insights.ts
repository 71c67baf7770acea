import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { getInsights } from '../../use-cases/insights/get-insights.ts';
import { suggestAgreement } from '../../use-cases/insights/suggest-agreement.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type InsightsCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)} %`;
const fixed = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

/**
 * `smarketing insights`: close rates per activity, band, source, campaign, persona and trait with
 * Wilson intervals, the triggers and the learned score's hold-out evaluation; `--suggest <file>`
 * writes a candidate agreement with the learned points (and prints its diff against the current one).
 */
export function registerInsightsCommand(program: Command, helpers: InsightsCommandHelpers): void {
  program
    .command('insights')
    .description(
      'close rates, triggers and the learned score from the closed-loop history (see docs/INSIGHTS.md)',
    )
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .option(
      '--horizon-days <days>',
      'a lead is a customer when it wins within this many days (default 180)',
      positiveInt,
    )
    .option('--min-leads <n>', 'fewest leads behind a row, a feature or a trigger (default 30)', positiveInt)
    .option(
      '--suggest [file]',
      'write a candidate agreement with the learned points and triggers (default candidate.yaml)',
    )
    .option('--limit <n>', 'rows of the close-rate table to print (default 25)', positiveInt)
    .action(
      async (
        options: {
          workspace?: string;
          horizonDays?: number;
          minLeads?: number;
          suggest?: string | true;
          limit?: number;
        },
        command: Command,
      ) => {
        const output = helpers.outputFor(command);
        const query = {
          ...(options.horizonDays === undefined ? {} : { horizonDays: options.horizonDays }),
          ...(options.minLeads === undefined ? {} : { minLeads: options.minLeads }),
        };
        if (options.suggest !== undefined) {
          const file = options.suggest === true ? 'candidate.yaml' : options.suggest;
          const suggestion = await helpers.withRuntime(async (deps) => {
            const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
            return suggestAgreement({ workspaceId: workspace.id, ...query }, deps);
          });
          await writeFile(file, suggestion.yaml, 'utf8');
          const { claim } = suggestion;
          output.result(
            { file, ...suggestion },
            [
              `Wrote ${file}: a candidate against agreement version ${suggestion.agreementVersion}.`,
              suggestion.diff,
              '',
              `On ${claim.leads} leads with a known outcome: ${claim.current.mqls} MQLs closing at ${percent(claim.current.closeRate)} now, ${claim.candidate.mqls} closing at ${percent(claim.candidate.closeRate)} with the candidate (thresholds fit ${claim.thresholds.fit}, interest ${claim.thresholds.interest}). The backtest's MQL close rate checks this.`,
              `Check it with \`smarketing check ${file}\` and replay it with \`smarketing backtest ${file} --months 6\`.`,
            ].join('\n'),
          );
          return;
        }
        const insights = await helpers.withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return getInsights({ workspaceId: workspace.id, ...query }, deps);
        });
        const { population, model } = insights;
        const lines = [
          `Closed-loop insights as of ${insights.asOf} (agreement version ${insights.agreementVersion}, horizon ${insights.horizonDays} days)`,
          `Leads ${population.leads}: ${population.known} with a known outcome, ${population.censored} too recent (censored); ${population.customers} customers, close rate ${percent(population.closeRate)} [${percent(population.low)}, ${percent(population.high)}] (Wilson 95 %)`,
          '',
          `${'dimension   leads  customers  close rate  95 % interval'.padEnd(72)} lift  what`,
          ...insights.closeRates.slice(0, options.limit ?? 25).map((row) => {
            const figures = `${row.dimension.padEnd(10)} ${String(row.leads).padStart(6)} ${String(row.customers).padStart(10)} ${percent(row.closeRate).padStart(11)}  [${percent(row.low)}, ${percent(row.high)}]`;
            return `${figures.padEnd(72)}${fixed(row.lift, 2).padStart(5)}  ${row.label}`;
          }),
          '',
          insights.triggers.length === 0
            ? 'No trigger closes significantly above average.'
            : 'Triggers (Wilson lower bound above the average, lift ≥ 2):',
          ...insights.triggers.map(
            (t) =>
              `  ${t.label}: ${percent(t.closeRate)} [${percent(t.low)}, ${percent(t.high)}] of ${t.leads} leads, lift ${fixed(t.lift, 1)}, ${t.averagePerMonth.toFixed(1)} leads a month`,
          ),
          '',
          model.evaluation === null
            ? 'Learned score: not evaluated (the hold-out needs customers and non-customers on both sides).'
            : `Learned score on the hold-out (${model.holdoutLeads} leads from ${model.holdoutFrom}): AUC ${fixed(model.evaluation.learned.auc)}, Brier ${fixed(model.evaluation.learned.brier, 4)}, lift at top decile ${fixed(model.evaluation.learned.liftAtTopDecile, 2)}; the agreement's score: AUC ${fixed(model.evaluation.agreement.auc)}, Brier ${fixed(model.evaluation.agreement.brier, 4)}, lift ${fixed(model.evaluation.agreement.liftAtTopDecile, 2)}.`,
          'Largest learned points (10 points double the odds):',
          ...model.weights.slice(0, 10).map((w) => `  ${String(w.points).padStart(4)}  ${w.label}`),
        ];
        output.result(insights, lines.join('\n'));
      },
    );
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}
