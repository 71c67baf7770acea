import { readFile } from 'node:fs/promises';
import type { BacktestSide } from '@smarketing/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { runBacktest } from '../../use-cases/insights/run-backtest.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type BacktestCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);

/** `smarketing backtest candidate.yaml --months 6`: the candidate beside the current agreement, replayed in memory. */
export function registerBacktestCommand(program: Command, helpers: BacktestCommandHelpers): void {
  program
    .command('backtest')
    .description(
      'replay the stored history under a candidate agreement beside the current one (nothing is written)',
    )
    .argument('<candidate>', 'the candidate agreement (YAML)')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .option('--months <n>', 'report the last n months (default 6)', months, 6)
    .option('--horizon-days <days>', 'an MQL closes when it wins within this many days (default 180)', months)
    .action(
      async (
        file: string,
        options: { workspace?: string; months: number; horizonDays?: number },
        command: Command,
      ) => {
        const output = helpers.outputFor(command);
        let candidate: string;
        try {
          candidate = await readFile(file, 'utf8');
        } catch (error) {
          throw new AppError('NOT_FOUND', {
            message: `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}).`,
          });
        }
        const report = await helpers.withRuntime(async (deps) => {
          const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
          return runBacktest(
            {
              workspaceId: workspace.id,
              candidate,
              months: options.months,
              ...(options.horizonDays === undefined ? {} : { horizonDays: options.horizonDays }),
            },
            deps,
          );
        });
        const side = (name: string, s: BacktestSide) => [
          `${name}: ${s.totals.mqls} MQLs, ${percent(s.totals.shareHot)} hot, expected close rate ${percent(s.totals.expectedCloseRate)}, actual ${percent(s.totals.actualCloseRate)} [${percent(s.totals.actualLow)}, ${percent(s.totals.actualHigh)}] of ${s.totals.decided} decided`,
          ...s.months.map(
            (m) =>
              `  ${m.month}  ${String(m.mqls).padStart(6)} MQLs  ${percent(m.shareHot).padStart(8)} hot  expected ${percent(m.expectedCloseRate).padStart(8)}  actual ${percent(m.actualCloseRate).padStart(8)}  ${m.points} points`,
          ),
          `  reps: ${s.reps.map((r) => `${r.repId} ${r.meanPerWeek.toFixed(1)}/week (max ${r.maxPerWeek}${r.capacityPerWeek === null ? '' : `, capacity ${r.capacityPerWeek}`})`).join(', ') || 'none'}`,
          `  SLA: ${s.sla.impliedMonthlyPoints ?? '—'} MQL points a month against a target of ${s.sla.target} a ${s.sla.period}; first touch in time ${percent(s.sla.impliedWorkedShare)} against ${percent(s.sla.workedWithinDeadline)} agreed`,
        ];
        output.result(
          report,
          [
            `Backtest of ${file} against agreement version ${report.agreementVersion}: ${report.facts} facts of ${report.contacts} contacts replayed twice in memory; months ${report.months[0] ?? '—'} to ${report.months.at(-1) ?? '—'}.`,
            ...side('Current', report.current),
            ...side('Candidate', report.candidate),
            `Quadrant changes: ${report.quadrantChanges.total} contacts (${report.quadrantChanges.byPair.map((p) => `${p.from}→${p.to} ${p.contacts}`).join(', ') || 'none'}).`,
          ].join('\n'),
        );
      },
    );
}

function months(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}
