import { buildClogReport, type ClogOptions, type ClogReport, defaultClogOptions } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import {
  loadTimelines,
  loadValueBasis,
  openReport,
  type ReportDeps,
  type ReportQuery,
} from './report-context.ts';

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
 * with the leads concerned.
 */
export async function getClogReport(query: ClogQuery, deps: ReportDeps): Promise<ClogReport> {
  const options = clogOptions(query);
  const context = await openReport(query, deps);
  const length = context.period.to.getTime() - context.period.from.getTime();
  // Everyone whose entries can fall in a window: the baseline's start, less the horizon.
  const earliest = new Date(
    context.period.from.getTime() - options.baselinePeriods * length - options.horizonDays * 86_400_000,
  );
  const timelines = await loadTimelines(
    query.workspaceId,
    { from: earliest, to: context.period.to, filters: context.filters, asOf: context.asOf },
    deps,
  );
  const people = await deps.repos.clogs.listPeople(
    query.workspaceId,
    timelines.map((timeline) => timeline.personId),
    options.segmentBy,
  );
  const basis = await loadValueBasis(query.workspaceId, context.agreement, context.asOf, deps);
  return buildClogReport({ ...context, timelines, people, averageDealSize: basis.averageDealSize, options });
}
