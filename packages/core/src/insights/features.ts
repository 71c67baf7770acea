import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Condition, TraitValue } from '../agreement/condition.ts';
import { computeFit } from '../engine/scoring/compute-fit.ts';
import { deriveTraits } from '../engine/scoring/derive-traits.ts';
import type { LeadHistory } from './history.ts';

const dayMs = 86_400_000;

/** What a feature says about a lead; the close-rate table groups by it. */
const featureDimensions = [
  'activity',
  'frequency',
  'source',
  'campaign',
  'persona',
  'fit-rule',
  'trait',
] as const;
export type FeatureDimension = (typeof featureDimensions)[number];

/** One yes/no fact about a lead before its outcome, with the agreement condition that says it. */
export type Feature = {
  /** `activity:demo-requested`, `frequency:page-viewed:15`, `trait:industry=Software`… */
  key: string;
  dimension: FeatureDimension;
  label: string;
  /** The same fact in the agreement's condition language; absent for source and campaign. */
  condition?: Condition;
};

/** A lead's outcome as the analysis counts it. */
export type Observation = {
  lead: LeadHistory;
  /** Only facts strictly before this instant count: the win, or the end of the horizon. */
  cutoff: number;
  won: boolean;
};

export type ObservationWindow = {
  /** The instant the analysis is made at (epoch ms); nothing after it is known. */
  asOf: number;
  /** A lead counts as a customer when it wins within this many days of entering the funnel. */
  horizonDays: number;
};

/**
 * Censoring: a lead's outcome is known once its horizon has passed (`startAt + horizon ≤ asOf`).
 * Younger leads are censored, customers or not, so the rates are not biased towards the quick wins
 * of recent leads; they are counted apart. Facts after the win, or after the horizon, never count.
 */
export function observeLead(
  lead: LeadHistory,
  window: ObservationWindow,
): Observation | { censored: true; lead: LeadHistory } {
  const end = lead.startAt + window.horizonDays * dayMs;
  if (end > window.asOf) return { censored: true, lead };
  if (lead.wonAt !== undefined && lead.wonAt < end) return { lead, cutoff: lead.wonAt, won: true };
  return { lead, cutoff: end, won: false };
}

/** What is known of a lead at `cutoff` (exclusive): the raw material of its features. */
export type LeadFacts = {
  /** Activity id → how many times before the cutoff. */
  counts: Map<string, number>;
  /** Activity id → the most times within any `frequencyWindowDays` window before the cutoff. */
  peaks: Map<string, number>;
  traits: Record<string, TraitValue | null>;
  personas: string[];
  fitRules: string[];
};

export type FactOptions = { frequencyWindowDays: number };

export function leadFacts(
  agreement: Agreement,
  lead: LeadHistory,
  cutoff: number,
  options: FactOptions,
): LeadFacts {
  const counts = new Map<string, number>();
  const byType = new Map<string, number[]>();
  for (let i = 0; i < lead.times.length; i++) {
    const at = lead.times[i] as number;
    if (at >= cutoff) break;
    const type = lead.types[i] as string;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const times = byType.get(type);
    if (times === undefined) byType.set(type, [at]);
    else times.push(at);
  }
  const window = options.frequencyWindowDays * dayMs;
  const peaks = new Map<string, number>();
  for (const [type, times] of byType) {
    let best = 0;
    for (let head = 0, tail = 0; head < times.length; head++) {
      while ((times[head] as number) - (times[tail] as number) > window) tail++;
      best = Math.max(best, head - tail + 1);
    }
    peaks.set(type, best);
  }
  const traits = deriveTraits(lead.traits, lead.email ?? undefined);
  const fit = computeFit(agreement, traits);
  return {
    counts,
    peaks,
    traits,
    personas: fit.personas,
    fitRules: fit.contributions.map((contribution) => contribution.id),
  };
}

/** Frequency bands offered for every activity: "at least k within the window". */
const frequencyBands = [2, 3, 5, 10, 15, 25] as const;

/** Traits that identify a person rather than describe one: never features. */
const identifyingTraits = new Set([
  'email',
  'name',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'phone',
  'id',
  'userId',
  'website',
  'domain',
  'company',
  'companyName',
  'address',
  'avatar',
  'createdAt',
]);

export type FeatureSpaceOptions = FactOptions & {
  /** A level, band or value seen by fewer leads is not a feature (too few to learn from). */
  minLeads: number;
  /** A text trait with more distinct values than this is free text, not a feature. */
  maxLevels: number;
  /** Numeric traits with more than 12 distinct values get thresholds at this many equal-count bins. */
  numericBins: number;
};

export type FeatureSpace = {
  features: Feature[];
  index: Map<string, number>;
  options: FeatureSpaceOptions;
};

type NumericTrait = { name: string; thresholds: number[] };

/**
 * The features worth measuring, from the leads whose outcome is known: every activity, frequency
 * band, source, campaign, persona and fit rule seen by at least `minLeads` leads, and every trait
 * value (text, yes/no) or numeric threshold with as many leads on each side. Order is stable: by dimension, then key.
 */
export function buildFeatureSpace(
  agreement: Agreement,
  facts: readonly (LeadFacts & { source?: string; campaign?: string })[],
  options: FeatureSpaceOptions,
): FeatureSpace {
  const support = new Map<string, number>();
  const bump = (key: string) => support.set(key, (support.get(key) ?? 0) + 1);
  const textLevels = new Map<string, Map<string, number>>();
  const numbers = new Map<string, number[]>();
  for (const lead of facts) {
    for (const type of lead.counts.keys()) bump(`activity:${type}`);
    for (const [type, peak] of lead.peaks) {
      for (const band of frequencyBands) if (peak >= band) bump(`frequency:${type}:${band}`);
    }
    if (lead.source !== undefined) bump(`source:${lead.source}`);
    if (lead.campaign !== undefined) bump(`campaign:${lead.campaign}`);
    for (const persona of lead.personas) bump(`persona:${persona}`);
    for (const rule of lead.fitRules) bump(`fit-rule:${rule}`);
    for (const [name, value] of Object.entries(lead.traits)) {
      if (value === null || identifyingTraits.has(name)) continue;
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) continue;
        const list = numbers.get(name);
        if (list === undefined) numbers.set(name, [value]);
        else list.push(value);
        continue;
      }
      const text = String(value).trim();
      if (text === '') continue;
      const levels = textLevels.get(name);
      if (levels === undefined) textLevels.set(name, new Map([[text, 1]]));
      else levels.set(text, (levels.get(text) ?? 0) + 1);
    }
  }

  const features: Feature[] = [];
  const activityLabel = new Map(agreement.interest.activities.map((a) => [a.id, a.label]));
  const personaLabel = new Map(agreement.personas.map((p) => [p.id, p.label]));
  const ruleLabel = new Map(agreement.fit.rules.map((r) => [r.id, r]));
  const supported = (key: string) => (support.get(key) ?? 0) >= options.minLeads;
  const sortedKeys = [...support.keys()].filter(supported).sort();
  for (const key of sortedKeys) {
    const [dimension, rest = ''] = splitKey(key);
    if (dimension === 'activity') {
      features.push({
        key,
        dimension,
        label: activityLabel.get(rest) ?? rest,
        condition: { activity: rest },
      });
    } else if (dimension === 'frequency') {
      const cut = rest.lastIndexOf(':');
      const activity = rest.slice(0, cut);
      const atLeast = Number(rest.slice(cut + 1));
      features.push({
        key,
        dimension,
        label: `${activityLabel.get(activity) ?? activity}: ≥ ${atLeast} in ${options.frequencyWindowDays} days`,
        condition: { activity, atLeast, withinDays: options.frequencyWindowDays },
      });
    } else if (dimension === 'source' || dimension === 'campaign') {
      features.push({ key, dimension, label: `${dimension} ${rest}` });
    } else if (dimension === 'persona') {
      features.push({ key, dimension, label: personaLabel.get(rest) ?? rest, condition: { persona: rest } });
    } else if (dimension === 'fit-rule') {
      const rule = ruleLabel.get(rest);
      if (rule !== undefined) features.push({ key, dimension, label: rule.label, condition: rule.when });
    }
  }

  const traitFeatures: Feature[] = [];
  for (const [name, levels] of textLevels) {
    if (levels.size > options.maxLevels) continue;
    for (const [level, count] of levels) {
      if (count < options.minLeads) continue;
      const value: TraitValue = level === 'true' ? true : level === 'false' ? false : level;
      traitFeatures.push({
        key: `trait:${name}=${level}`,
        dimension: 'trait',
        label: `${name} is ${level}`,
        condition: { trait: name, equals: value },
      });
    }
  }
  for (const trait of numericTraits(numbers, options)) {
    for (const threshold of trait.thresholds) {
      traitFeatures.push({
        key: `trait:${trait.name}≥${threshold}`,
        dimension: 'trait',
        label: `${trait.name} ${threshold} or more`,
        condition: { trait: trait.name, gte: threshold },
      });
    }
  }
  traitFeatures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  features.push(...traitFeatures);
  return { features, index: new Map(features.map((f, i) => [f.key, i])), options };
}

/**
 * Numeric traits become cumulative thresholds ("age 60 or more"), like the frequency bands: at
 * every distinct value when there are few, else where equal-count bins of the values start. A
 * step up at each threshold can follow any shape within the range seen, and a value beyond it
 * takes the nearest end's effect (an unseen level of a bin-per-value encoding would take none).
 * The lowest value is no threshold (everyone has it); thresholds with fewer than `minLeads`
 * leads on either side are dropped.
 */
function numericTraits(numbers: Map<string, number[]>, options: FeatureSpaceOptions): NumericTrait[] {
  const traits: NumericTrait[] = [];
  for (const [name, values] of numbers) {
    const counts = new Map<number, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    const distinct = [...counts.keys()].sort((a, b) => a - b);
    const starts: number[] = [];
    if (distinct.length <= 12) starts.push(...distinct.slice(1));
    else {
      const target = values.length / options.numericBins;
      let filled = 0;
      for (let i = 0; i < distinct.length - 1; i++) {
        filled += counts.get(distinct[i] as number) ?? 0;
        if (filled >= target) {
          starts.push(distinct[i + 1] as number);
          filled = 0;
        }
      }
    }
    let below = 0;
    let index = 0;
    const thresholds: number[] = [];
    for (const start of starts) {
      while (index < distinct.length && (distinct[index] as number) < start) {
        below += counts.get(distinct[index] as number) ?? 0;
        index++;
      }
      if (below >= options.minLeads && values.length - below >= options.minLeads) thresholds.push(start);
    }
    traits.push({ name, thresholds });
  }
  return traits.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}

/**
 * The indices (ascending) of the features a lead has. Numeric traits set every threshold they reach;
 * text is compared as written (the agreement's `equals` ignores case, the levels here do not).
 */
export function encodeLead(
  space: FeatureSpace,
  lead: LeadFacts & { source?: string; campaign?: string },
): number[] {
  const found: number[] = [];
  const add = (key: string) => {
    const index = space.index.get(key);
    if (index !== undefined) found.push(index);
  };
  for (const type of lead.counts.keys()) add(`activity:${type}`);
  for (const [type, peak] of lead.peaks) {
    for (const band of frequencyBands) if (peak >= band) add(`frequency:${type}:${band}`);
  }
  if (lead.source !== undefined) add(`source:${lead.source}`);
  if (lead.campaign !== undefined) add(`campaign:${lead.campaign}`);
  for (const persona of lead.personas) add(`persona:${persona}`);
  for (const rule of lead.fitRules) add(`fit-rule:${rule}`);
  for (const [name, value] of Object.entries(lead.traits)) {
    if (value === null) continue;
    if (typeof value === 'number') {
      for (const threshold of thresholdsOf(space, name)) {
        if (value >= threshold.at) found.push(threshold.index);
      }
      continue;
    }
    add(`trait:${name}=${String(value).trim()}`);
  }
  return found.sort((a, b) => a - b);
}

const thresholdCache = new WeakMap<FeatureSpace, Map<string, { at: number; index: number }[]>>();

function thresholdsOf(space: FeatureSpace, name: string) {
  let cache = thresholdCache.get(space);
  if (cache === undefined) {
    const built = new Map<string, { at: number; index: number }[]>();
    space.features.forEach((feature, index) => {
      const condition = feature.condition;
      if (feature.dimension !== 'trait' || condition === undefined || !('trait' in condition)) return;
      if (condition.gte === undefined) return;
      const list = built.get(condition.trait) ?? [];
      list.push({ at: condition.gte, index });
      built.set(condition.trait, list);
    });
    thresholdCache.set(space, built);
    cache = built;
  }
  return cache.get(name) ?? [];
}
