import {
  type AttributionReport,
  attributionModels,
  type ClogReport,
  type CloseRatesReport,
  describeFilters,
  type FollowThroughFigures,
  type FollowThroughReport,
  type FunnelReport,
  type GoalTreeReport,
  type LeadFlowReport,
  parseSegment,
  type ReportMeta,
  type SegmentFilters,
  type SlaReport,
  type WaterfallReport,
} from '@smarketing/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { formatCsvLine } from '../../ingest/csv/write-csv.ts';
import { getAttributionReport } from '../../use-cases/reports/get-attribution-report.ts';
import { getClogReport } from '../../use-cases/reports/get-clog-report.ts';
import { getCloseRatesReport } from '../../use-cases/reports/get-close-rates-report.ts';
import { getFollowThroughReport } from '../../use-cases/reports/get-follow-through-report.ts';
import { getFunnelReport } from '../../use-cases/reports/get-funnel-report.ts';
import { getGoalTreeReport } from '../../use-cases/reports/get-goal-tree-report.ts';
import { getLeadFlowReport } from '../../use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../../use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../../use-cases/reports/get-waterfall-report.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type ReportCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

type ReportOptions = {
  from?: string;
  to?: string;
  period?: string;
  segment: string[];
  unit: 'month' | 'week';
  attemptDays?: number;
  halfLife?: number;
  segmentBy?: string;
  horizonDays?: number;
  baselinePeriods?: number;
  csv?: boolean;
  workspace?: string;
};

/** What a report is asked from the command line. */
type ReportRequest = { workspaceId: string; options: ReportOptions; filters: SegmentFilters };
type Cell = string | number | boolean | null | undefined;
type AnyReport = ReportMeta & { report: string };

/**
 * One report the command prints: whether it needs `--from`/`--to`, how to compute it, and its
 * table (header row first). `notes` are extra lines printed above the table.
 */
type ReportEntry<R extends AnyReport> = {
  needsFromTo: boolean;
  run(request: ReportRequest, deps: Deps): Promise<R>;
  table(report: R): Cell[][];
  notes?(report: R): string[];
};

const entry = <R extends AnyReport>(definition: ReportEntry<R>) =>
  definition as unknown as ReportEntry<AnyReport>;

/** `from`/`to`/segment/unit as every period report takes them. */
const periodQuery = ({ workspaceId, options, filters }: ReportRequest) => ({
  workspaceId,
  from: options.from ?? '',
  to: options.to ?? '',
  filters,
  unit: options.unit,
});

/** Every report of `smarketing report <name>`; a new report is one more entry. */
const reports: Record<string, ReportEntry<AnyReport>> = {
  funnel: entry<FunnelReport>({
    needsFromTo: true,
    run: (request, deps) => getFunnelReport(periodQuery(request), deps),
    table: funnelTable,
  }),
  'lead-flow': entry<LeadFlowReport>({
    needsFromTo: true,
    run: (request, deps) => getLeadFlowReport(periodQuery(request), deps),
    table: leadFlowTable,
  }),
  waterfall: entry<WaterfallReport>({
    needsFromTo: true,
    run: (request, deps) => getWaterfallReport(periodQuery(request), deps),
    table: waterfallTable,
  }),
  sla: entry<SlaReport>({
    needsFromTo: false,
    run: ({ workspaceId, options }, deps) =>
      getSlaReport(
        {
          workspaceId,
          ...(options.period === undefined ? {} : { period: options.period }),
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.to === undefined ? {} : { to: options.to }),
        },
        deps,
      ),
    table: slaTable,
  }),
  'follow-through': entry<FollowThroughReport>({
    needsFromTo: true,
    run: (request, deps) =>
      getFollowThroughReport(
        {
          ...periodQuery(request),
          ...(request.options.attemptDays === undefined ? {} : { attemptDays: request.options.attemptDays }),
        },
        deps,
      ),
    table: followThroughTable,
  }),
  'close-rates': entry<CloseRatesReport>({
    needsFromTo: true,
    run: (request, deps) => getCloseRatesReport(periodQuery(request), deps),
    table: closeRatesTable,
  }),
  attribution: entry<AttributionReport>({
    needsFromTo: true,
    run: (request, deps) =>
      getAttributionReport(
        {
          ...periodQuery(request),
          ...(request.options.halfLife === undefined ? {} : { halfLifeDays: request.options.halfLife }),
        },
        deps,
      ),
    table: attributionTable,
    notes: (report) => [
      `revenue ${report.total.revenue} ${report.currency} from ${report.total.deals} won deals; time-decay half-life ${report.halfLifeDays} days`,
    ],
  }),
  'goal-tree': entry<GoalTreeReport>({
    needsFromTo: false,
    run: ({ workspaceId, options, filters }, deps) =>
      getGoalTreeReport(
        { workspaceId, ...(options.period === undefined ? {} : { period: options.period }), filters },
        deps,
      ),
    table: goalTreeTable,
    notes: (report) => [
      `average deal size ${report.averageDealSize.amount ?? 'unknown'} ${report.currency} (${report.averageDealSize.basis ?? 'no goal names one, no deal won'})`,
      ...report.rates.map(
        (rate) =>
          `${rate.from} → ${rate.to}: ${rate.rate ?? 'unknown'} (${rate.basis}; ${rate.entered.to} of ${rate.entered.from} in the window)`,
      ),
    ],
  }),
  clogs: entry<ClogReport>({
    needsFromTo: true,
    run: (request, deps) =>
      getClogReport(
        {
          ...periodQuery(request),
          segmentBy: (request.options.segmentBy ?? '')
            .split(',')
            .map((key) => key.trim())
            .filter(Boolean),
          ...(request.options.horizonDays === undefined ? {} : { horizonDays: request.options.horizonDays }),
          ...(request.options.baselinePeriods === undefined
            ? {}
            : { baselinePeriods: request.options.baselinePeriods }),
        },
        deps,
      ),
    table: clogTable,
    notes: (report) => [
      `baseline ${report.baseline.from} to ${report.baseline.to}; ${report.checks.length} checks tested, ${report.skippedSmall} too small; ${report.clogs.length} clogs`,
    ],
  }),
};
const reportNames = Object.keys(reports);

function positiveNumber(name: string, integer: boolean) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number)))
      throw new InvalidArgumentError(`${name} must be a positive ${integer ? 'whole ' : ''}number`);
    return number;
  };
}

/**
 * `smarketing report <name>`: the same reports as `/api/v1/reports/*`, as a readable table,
 * `--json` or `--csv` (with `#` lines carrying the period, filters, agreement version and
 * definitions).
 */
export function registerReportCommand(program: Command, helpers: ReportCommandHelpers): void {
  program
    .command('report')
    .description(`print a report: ${reportNames.join(', ')} (see docs/REPORTS.md for the definitions)`)
    .argument('<name>', reportNames.join(' | '), parseName)
    .option(
      '--from <date>',
      'start of the period: YYYY-MM, YYYY-MM-DD (agreement time zone) or an ISO timestamp',
    )
    .option('--to <date>', 'end of the period, exclusive (--from 2027-01 --to 2027-04 is the first quarter)')
    .option(
      '--period <name>',
      'sla: the agreement period, e.g. 2027-03 (default: the running one); goal-tree: 2027, 2027-Q2 or 2027-03 (default: this year)',
    )
    .option(
      '--segment <key=value>',
      'only these people (repeatable): source, team, rep, country, industry, quadrant or a trait',
      collect,
      [],
    )
    .addOption(
      new Option('--unit <unit>', 'rows of lead-flow and waterfall')
        .choices(['month', 'week'])
        .default('month'),
    )
    .option(
      '--attempt-days <n>',
      'follow-through: count attempts over the first N days (default 7)',
      positiveNumber('--attempt-days', true),
    )
    .option(
      '--half-life <days>',
      'attribution: half-life of the time-decay model in days (default 7)',
      positiveNumber('--half-life', false),
    )
    .option('--segment-by <keys>', 'clogs: break stages down by these keys, e.g. source,persona,team')
    .option(
      '--horizon-days <n>',
      'clogs: conversion within N days of the entry (default 14)',
      positiveNumber('--horizon-days', false),
    )
    .option(
      '--baseline-periods <n>',
      'clogs: periods before this one to compare with (default 3)',
      positiveNumber('--baseline-periods', true),
    )
    .option('--csv', 'print CSV')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (name: string, options: ReportOptions, command: Command) => {
      const output = helpers.outputFor(command);
      const segment = parseSegment(options.segment);
      if (!segment.ok) throw new InvalidArgumentError(segment.message);
      const definition = reports[name] as ReportEntry<AnyReport>;
      if (definition.needsFromTo && (options.from === undefined || options.to === undefined)) {
        command.error(`error: report ${name} needs --from and --to`, {
          exitCode: 2,
          code: 'commander.missingArgument',
        });
      }
      const report = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        return definition.run({ workspaceId: workspace.id, options, filters: segment.filters }, deps);
      });
      const table = definition.table(report);
      const notes = definition.notes?.(report) ?? [];
      if (options.csv && !output.json) {
        process.stdout.write(
          [
            ...[...metaLines(report), ...notes].map((line) => `# ${line}\n`),
            ...table.map((row) => formatCsvLine(row.map(cell))),
          ].join(''),
        );
        return;
      }
      output.result(
        report,
        [...metaLines(report).slice(0, 2), ...notes, '', ...align(table.map((row) => row.map(cell)))].join(
          '\n',
        ),
      );
    });
}

function parseName(value: string): string {
  if (!reportNames.includes(value))
    throw new InvalidArgumentError(`expected one of ${reportNames.join(', ')}`);
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function cell(value: Cell): string {
  return value === null || value === undefined ? '' : String(value);
}

function align(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function metaLines(report: ReportMeta & { report: string }): string[] {
  const filters = describeFilters(report.filters);
  return [
    `${report.report} ${report.period.label ?? ''} from ${report.period.from} to ${report.period.to} (${report.period.timezone})`.replace(
      '  ',
      ' ',
    ),
    `agreement version ${report.agreementVersion}, facts as of ${report.asOf}${filters.length > 0 ? `, segment ${filters.join(' ')}` : ''}`,
    ...Object.entries(report.definitions).map(([key, text]) => `${key}: ${text}`),
  ];
}

function funnelTable(report: FunnelReport): Cell[][] {
  return [
    [
      'view',
      'stage',
      'entered',
      'conversionFromPrevious',
      'conversionFromFirst',
      'reentries',
      'returning',
      'left',
      'stillIn',
      'medianHours',
      'p90Hours',
    ],
    ...(['anyOrder', 'strictOrder'] as const).flatMap((view) =>
      report[view].map((stage) => [
        view,
        stage.stage,
        stage.entered,
        stage.conversionFromPrevious,
        stage.conversionFromFirst,
        stage.reentries,
        stage.returning,
        stage.timeInStage.left,
        stage.timeInStage.stillIn,
        stage.timeInStage.medianHours,
        stage.timeInStage.p90Hours,
      ]),
    ),
  ];
}

function leadFlowTable(report: LeadFlowReport): Cell[][] {
  return [
    [
      'row',
      'leads',
      'newLeads',
      'mqls',
      'leadsChange',
      'mqlsChange',
      'invalid',
      'averageFit',
      'shareHot',
      'points',
      'expectedValue',
    ],
    ...[...report.rows, { ...report.total, label: 'total', change: undefined }].map((row) => [
      row.label,
      row.leads,
      row.newLeads,
      row.mqls,
      row.change?.leads.absolute,
      row.change?.mqls.absolute,
      row.quality.invalid,
      row.quality.averageFit,
      row.quality.shareHot,
      row.quality.points,
      row.quality.expectedValue,
    ]),
  ];
}

function waterfallTable(report: WaterfallReport): Cell[][] {
  return [
    ['cohort', 'size', 'offset', 'until', ...report.stages],
    ...report.cohorts.flatMap((cohort) =>
      cohort.offsets.map((offset) => [
        cohort.label,
        cohort.size,
        offset.offset,
        offset.until,
        ...report.stages.map((stage) => offset.reached[stage] ?? 0),
      ]),
    ),
  ];
}

function slaTable(report: SlaReport): Cell[][] {
  return [
    [
      'side',
      'team',
      'rep',
      'target',
      'leads',
      'invalid',
      'value',
      'attainment',
      'expectedNow',
      'projected',
      'handed',
      'due',
      'workedWithinDeadline',
      'compliance',
      'breaches',
      'openBreaches',
    ],
    ...[report.marketing.total, ...report.marketing.teams].map((row) => [
      'marketing',
      row.team ?? (row === report.marketing.total ? 'all' : 'unassigned'),
      '',
      row.target,
      row.leads,
      row.invalid,
      row.value,
      row.attainment,
      row.pace.expected,
      row.pace.projected,
    ]),
    ...[report.sales.total, ...report.sales.teams, ...report.sales.reps].map((row) => [
      'sales',
      row.team ?? (row === report.sales.total ? 'all' : 'unassigned'),
      row.rep ?? '',
      row === report.sales.total ? report.sales.target : '',
      '',
      '',
      '',
      '',
      '',
      '',
      row.handed,
      row.due,
      row.workedWithinDeadline,
      row.compliance,
      row.breaches,
      row.openBreaches,
    ]),
  ];
}

function followThroughTable(report: FollowThroughReport): Cell[][] {
  const line = (row: FollowThroughFigures, team: string, rep: string): Cell[] => [
    team,
    rep,
    row.handed,
    row.worked,
    row.workedShare,
    row.timeToFirstTouch.slaHours.median,
    row.timeToFirstTouch.slaHours.p90,
    row.timeToFirstTouch.wallClockHours.median,
    row.timeToFirstTouch.wallClockHours.p90,
    row.attempts.average,
    row.feedback.acceptRate,
    row.feedback.rejectRate,
    row.feedback.recycleRate,
    row.feedback.pending,
    row.feedback.reasons
      .map((reason) => `${reason.verdict}:${reason.reason ?? '-'}=${reason.count}`)
      .join(' '),
  ];
  return [
    [
      'team',
      'rep',
      'handed',
      'worked',
      'workedShare',
      'firstTouchSlaMedianHours',
      'firstTouchSlaP90Hours',
      'firstTouchWallMedianHours',
      'firstTouchWallP90Hours',
      `attemptsIn${report.attemptDays}Days`,
      'acceptRate',
      'rejectRate',
      'recycleRate',
      'pending',
      'reasons',
    ],
    line(report.total, 'all', ''),
    ...report.teams.map((row) => line(row, row.team ?? 'unassigned', '')),
    ...report.reps.map((row) => line(row, row.team ?? 'unassigned', row.rep ?? 'unassigned')),
  ];
}

function closeRatesTable(report: CloseRatesReport): Cell[][] {
  const { closeRates, deals } = report;
  const groups = (
    name: string,
    rows: { key: string | null; leads: number; customers: number; closeRate: number | null }[],
  ): Cell[][] =>
    rows.map((row) => [name, row.key ?? '(unknown)', row.customers, row.leads, row.closeRate, '', '']);
  return [
    ['section', 'key', 'count', 'of', 'rate', 'medianDays', 'p90Days'],
    [
      'closeRate',
      'all',
      closeRates.total.customers,
      closeRates.total.leads,
      closeRates.total.closeRate,
      '',
      '',
    ],
    ...groups('closeRate.source', closeRates.bySource),
    ...groups('closeRate.campaign', closeRates.byCampaign),
    ...groups('closeRate.persona', closeRates.byPersona),
    ...groups('closeRate.quadrant', closeRates.byQuadrant),
    [
      'deals.won',
      `${deals.wonAmount} ${deals.currency}`,
      deals.won,
      deals.closed,
      deals.winRate,
      deals.salesCycleDays.median,
      deals.salesCycleDays.p90,
    ],
    ...report.velocity.map((pair) => [
      'velocity',
      `${pair.from}→${pair.to}`,
      pair.moved,
      pair.moved + pair.skipped,
      '',
      pair.days.median,
      pair.days.p90,
    ]),
  ];
}

function attributionTable(report: AttributionReport): Cell[][] {
  const models = attributionModels;
  return [
    ['table', 'key', 'touchpointsOrSpend', ...models],
    ['total', 'all', report.total.deals, ...models.map((model) => report.total.credited[model])],
    ...report.bySource.map((row) => [
      'source',
      row.key,
      row.touchpoints,
      ...models.map((model) => row.revenue[model]),
    ]),
    ...report.byCampaign.map((row) => [
      'campaign',
      row.key,
      row.touchpoints,
      ...models.map((model) => row.revenue[model]),
    ]),
    ...report.roi.byCampaign.map((row) => [
      'roi.campaign',
      row.key,
      row.spend,
      ...models.map((model) => row.roi[model]),
    ]),
    ...report.roi.bySource.map((row) => [
      'roi.source',
      row.key,
      row.spend,
      ...models.map((model) => row.roi[model]),
    ]),
  ];
}

function goalTreeTable(report: GoalTreeReport): Cell[][] {
  return [
    [
      'month',
      'status',
      'revenueGoal',
      'revenueWon',
      ...report.stages.flatMap((stage) => [`${stage}Needed`, `${stage}Actual`, `${stage}Gap`]),
    ],
    ...report.months.map((month) => [
      month.label,
      month.status,
      month.revenueGoal,
      month.revenueWon,
      ...month.stages.flatMap((stage) => [stage.needed, stage.actual, stage.gap]),
    ]),
    [
      'total',
      `${Math.round(report.total.elapsedShare * 100)}% passed`,
      report.total.revenueGoal,
      report.total.revenueWon,
      ...report.total.stages.flatMap((stage) => [stage.needed, stage.actual, stage.gap]),
    ],
  ];
}

function clogTable(report: ClogReport): Cell[][] {
  return [
    ['stage', 'metric', 'segment', 'current', 'baseline', 'test', 'p', 'q', 'revenueImpact', 'leads'],
    ...report.clogs.map((clog) => [
      clog.stage,
      clog.metric,
      clog.segment === null ? 'all' : `${clog.segment.key}=${clog.segment.value}`,
      clog.metric === 'conversion' ? clog.current.rate : clog.current.medianHours,
      clog.metric === 'conversion' ? clog.baseline.rate : clog.baseline.medianHours,
      clog.test,
      clog.p.toPrecision(3),
      clog.q.toPrecision(3),
      clog.impact.revenue,
      clog.leadCount,
    ]),
  ];
}
