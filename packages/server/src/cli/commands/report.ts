import {
  describeFilters,
  type FunnelReport,
  type LeadFlowReport,
  parseSegment,
  type ReportMeta,
  type SlaReport,
  type WaterfallReport,
} from '@smarketing/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Deps } from '../../deps.ts';
import { formatCsvLine } from '../../ingest/csv/write-csv.ts';
import { getFunnelReport } from '../../use-cases/reports/get-funnel-report.ts';
import { getLeadFlowReport } from '../../use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../../use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../../use-cases/reports/get-waterfall-report.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

export type ReportCommandHelpers = {
  outputFor(command: Command): Output;
  withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T>;
};

const reportNames = ['funnel', 'lead-flow', 'waterfall', 'sla'] as const;
type ReportName = (typeof reportNames)[number];
type AnyReport = FunnelReport | LeadFlowReport | WaterfallReport | SlaReport;

type ReportOptions = {
  from?: string;
  to?: string;
  period?: string;
  segment: string[];
  unit: 'month' | 'week';
  csv?: boolean;
  workspace?: string;
};

/**
 * `smarketing report <funnel|lead-flow|waterfall|sla>`: the same reports as `/api/v1/reports/*`,
 * as a readable table, `--json` or `--csv` (with `#` lines carrying the period, filters, agreement
 * version and definitions).
 */
export function registerReportCommand(program: Command, helpers: ReportCommandHelpers): void {
  program
    .command('report')
    .description(
      'print a report: funnel, lead-flow, waterfall or sla (see docs/REPORTS.md for the definitions)',
    )
    .argument('<name>', reportNames.join(' | '), parseName)
    .option(
      '--from <date>',
      'start of the period: YYYY-MM, YYYY-MM-DD (agreement time zone) or an ISO timestamp',
    )
    .option('--to <date>', 'end of the period, exclusive (--from 2027-01 --to 2027-04 is the first quarter)')
    .option('--period <name>', 'sla only: the agreement period, e.g. 2027-03 (default: the running one)')
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
    .option('--csv', 'print CSV')
    .addOption(new Option('--workspace <slug>', 'the workspace (default: the only one)'))
    .action(async (name: ReportName, options: ReportOptions, command: Command) => {
      const output = helpers.outputFor(command);
      const segment = parseSegment(options.segment);
      if (!segment.ok) throw new InvalidArgumentError(segment.message);
      if (name !== 'sla' && (options.from === undefined || options.to === undefined)) {
        command.error(`error: report ${name} needs --from and --to`, {
          exitCode: 2,
          code: 'commander.missingArgument',
        });
      }
      const report: AnyReport = await helpers.withRuntime(async (deps) => {
        const workspace = await resolveWorkspace({ slug: options.workspace }, deps);
        const query = {
          workspaceId: workspace.id,
          from: options.from ?? '',
          to: options.to ?? '',
          filters: segment.filters,
          unit: options.unit,
        };
        switch (name) {
          case 'funnel':
            return getFunnelReport(query, deps);
          case 'lead-flow':
            return getLeadFlowReport(query, deps);
          case 'waterfall':
            return getWaterfallReport(query, deps);
          case 'sla':
            return getSlaReport(
              {
                workspaceId: workspace.id,
                ...(options.period === undefined ? {} : { period: options.period }),
                ...(options.from === undefined ? {} : { from: options.from }),
                ...(options.to === undefined ? {} : { to: options.to }),
              },
              deps,
            );
        }
      });
      const table = tableOf(report);
      if (options.csv && !output.json) {
        process.stdout.write(
          [
            ...metaLines(report).map((line) => `# ${line}\n`),
            ...table.map((row) => formatCsvLine(row.map(cell))),
          ].join(''),
        );
        return;
      }
      output.result(
        report,
        [...metaLines(report).slice(0, 2), '', ...align(table.map((row) => row.map(cell)))].join('\n'),
      );
    });
}

function parseName(value: string): ReportName {
  if (!(reportNames as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${reportNames.join(', ')}`);
  }
  return value as ReportName;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

type Cell = string | number | boolean | null | undefined;

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

function tableOf(report: AnyReport): Cell[][] {
  switch (report.report) {
    case 'funnel':
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
    case 'lead-flow':
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
    case 'waterfall':
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
    case 'sla':
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
}
