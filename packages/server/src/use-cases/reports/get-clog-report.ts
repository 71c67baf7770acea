import {
  arrangeClogGroups,
  type ClogOptions,
  type ClogReport,
  clogReportFromPlan,
  clogsOf,
  clogWindows,
  defaultClogOptions,
  downstreamStageOf,
  planClogChecks,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { ClogSelection } from '../../repositories/clog.repository.ts';
import { loadAverageDealSize, openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

export type ClogQuery = ReportQuery & {
  /** Segment keys to break each stage down by: source, team, rep, persona, quadrant, country, industry, trait.<key>. */
  segmentBy?: readonly string[];
  baselinePeriods?: number;
  horizonDays?: number;
  minSample?: number;
  alpha?: number;
};

const namedKeys = ['source', 'team', 'rep', 'persona', 'quadrant', 'country', 'industry'];
const traitKey = /^trait\.[A-Za-z0-9_.-]{1,64}$/;

function invalid(message: string, field: string): AppError {
  return new AppError('VALIDATION_FAILED', { message, details: { field } });
}

/** The options with their defaults, each checked against its range. */
function clogOptions(query: ClogQuery): ClogOptions {
  const options: ClogOptions = {
    ...defaultClogOptions,
    segmentBy: [...new Set(query.segmentBy ?? [])],
    ...(query.baselinePeriods === undefined ? {} : { baselinePeriods: query.baselinePeriods }),
    ...(query.horizonDays === undefined ? {} : { horizonDays: query.horizonDays }),
    ...(query.minSample === undefined ? {} : { minSample: query.minSample }),
    ...(query.alpha === undefined ? {} : { alpha: query.alpha }),
  };
  for (const key of options.segmentBy) {
    if (!namedKeys.includes(key) && !traitKey.test(key)) {
      throw invalid(
        `segmentBy: "${key}" is not a segment key; expected ${namedKeys.join(', ')} or trait.<key>`,
        'segmentBy',
      );
    }
  }
  if (options.segmentBy.length > 5) throw invalid('segmentBy: at most 5 keys at once', 'segmentBy');
  if (
    !Number.isInteger(options.baselinePeriods) ||
    options.baselinePeriods < 1 ||
    options.baselinePeriods > 12
  )
    throw invalid('baselinePeriods: a whole number from 1 to 12', 'baselinePeriods');
  if (!(options.horizonDays > 0 && options.horizonDays <= 365))
    throw invalid('horizonDays: more than 0 and at most 365', 'horizonDays');
  // Below 5 entries no test can reach significance honestly; the default is 10.
  if (!Number.isInteger(options.minSample) || options.minSample < 5 || options.minSample > 100_000)
    throw invalid('minSample: a whole number of at least 5', 'minSample');
  if (!(options.alpha > 0 && options.alpha <= 0.2))
    throw invalid('alpha: more than 0 and at most 0.2', 'alpha');
  return options;
}

/**
 * Clogs of a period: per stage and segment, conversion and time in stage against the trailing
 * baseline, significant differences only (see core `clogDefinitions`), ranked by revenue impact,
 * with the leads concerned. The samples are counted in the database (one statement over the
 * rollup `person_timelines`); core tests them. Only the clogs found need their leads, downstream
 * rates and the average deal size.
 */
export async function getClogReport(query: ClogQuery, deps: ReportDeps): Promise<ClogReport> {
  const options = clogOptions(query);
  const context = await openReport(query, deps);
  const { agreement } = context;
  const selection: ClogSelection = {
    stages: agreement.stages.map((stage) => stage.id),
    windows: clogWindows(context.period, context.asOf, options),
    asOf: context.asOf,
    to: context.period.to,
    filters: context.filters,
  };
  const groups = await deps.repos.clogs.clogGroups(query.workspaceId, {
    ...selection,
    segmentBy: options.segmentBy,
  });
  const plan = planClogChecks(agreement, options, arrangeClogGroups(agreement, options, groups));
  const clogs = clogsOf(plan);
  // The clogs' downstream rates, their leads and the average deal size are independent reads: on
  // PostgreSQL they run side by side.
  const [downstream, leads, averageDealSize] = await Promise.all([
    deps.repos.clogs.downstreamRates(query.workspaceId, selection, [
      ...new Set(clogs.map((check) => downstreamStageOf(agreement, check))),
    ]),
    // One clog's leads at a time: a report with many clogs holds three connections, not one each.
    (async () => {
      const found = [];
      for (const check of clogs)
        found.push(await deps.repos.clogs.clogLeads(query.workspaceId, selection, check, options.maxLeads));
      return found;
    })(),
    clogs.length === 0 ? null : loadAverageDealSize(query.workspaceId, agreement, deps),
  ]);
  const details = clogs.map((check, index) => ({
    downstreamRate: downstream.get(downstreamStageOf(agreement, check)) ?? null,
    leads: leads[index] ?? [],
  }));
  const people = await deps.repos.clogs.listPeople(
    query.workspaceId,
    [...new Set(details.flatMap((detail) => detail.leads.map((lead) => lead.personId)))],
    [],
  );
  return clogReportFromPlan({ ...context, averageDealSize, options, plan, details, people });
}
