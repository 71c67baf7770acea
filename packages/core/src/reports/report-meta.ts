import type { ReportPeriod } from './period.ts';

/**
 * Who the report is about. Every filter narrows the people counted, by what is known of them now
 * (the surviving contact's traits, its current owner and quadrant), not as they were at the time.
 */
export type SegmentFilters = {
  /** `traits.leadSource` */
  source?: string;
  /** The current owner's team. */
  team?: string;
  /** The current owner. */
  rep?: string;
  /** `traits.country` */
  country?: string;
  /** `traits.industry` */
  industry?: string;
  /** The current quadrant (hot, nurture, fan, drop). */
  quadrant?: string;
  /** Any other trait, `key = value` (text, ignoring case). */
  traits?: Record<string, string>;
};

/** What every report carries: its period, filters, agreement version, the instant it was computed for, and its definitions. */
export type ReportMeta = {
  period: { from: string; to: string; timezone: string; label?: string };
  filters: SegmentFilters;
  agreementVersion: number;
  /** Facts up to this instant were read ("followed to now"). */
  asOf: string;
  definitions: Record<string, string>;
};

export function reportMeta(input: {
  period: ReportPeriod & { label?: string };
  filters: SegmentFilters;
  agreementVersion: number;
  asOf: Date;
  definitions: Record<string, string>;
}): ReportMeta {
  return {
    period: {
      from: input.period.from.toISOString(),
      to: input.period.to.toISOString(),
      timezone: input.period.timezone,
      ...(input.period.label === undefined ? {} : { label: input.period.label }),
    },
    filters: input.filters,
    agreementVersion: input.agreementVersion,
    asOf: input.asOf.toISOString(),
    definitions: input.definitions,
  };
}

/** The filters as `key=value` words, for CLI and CSV output. */
export function describeFilters(filters: SegmentFilters): string[] {
  const { traits, ...named } = filters;
  return [
    ...Object.entries(named).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`])),
    ...Object.entries(traits ?? {}).map(([key, value]) => `trait.${key}=${value}`),
  ];
}

const namedFilters = ['source', 'team', 'rep', 'country', 'industry', 'quadrant'] as const;

/**
 * Segment filters from `key=value` words (CLI `--segment`, HTTP `segment=`): source, team, rep,
 * country, industry and quadrant are named filters; any other key (or `trait.<key>`) is a trait.
 */
export function parseSegment(
  words: readonly string[],
): { ok: true; filters: SegmentFilters } | { ok: false; message: string } {
  const filters: SegmentFilters = {};
  const traits: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    const key = at < 0 ? '' : word.slice(0, at).trim();
    const value = at < 0 ? '' : word.slice(at + 1).trim();
    if (key === '' || value === '') {
      return { ok: false, message: `segment ${JSON.stringify(word)} is not key=value, like source=webinar` };
    }
    if ((namedFilters as readonly string[]).includes(key))
      filters[key as (typeof namedFilters)[number]] = value;
    else traits[key.startsWith('trait.') ? key.slice('trait.'.length) : key] = value;
  }
  return { ok: true, filters: Object.keys(traits).length === 0 ? filters : { ...filters, traits } };
}
