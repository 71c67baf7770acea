import type { Agreement } from '../agreement/agreement-schema.ts';
import type { DealEventRecord, FeedbackRecord, SegmentMessage, TouchRecord } from '../ingest/records.ts';
import { behaviourIds, createAgreementModel } from './agreement-model.ts';
import { addMonths, day, hour } from './calendar.ts';
import { noiseEvents, noisePages } from './catalog.ts';
import { followEngine } from './follow-engine.ts';
import type { Arrival, JourneyContext } from './journey.ts';
import { createRandom, type Random } from './random.ts';
import {
  acceptOddsEffect,
  baseAcceptRate,
  baseWinRate,
  dealAmountMedian,
  dealAmountSigma,
  fitOddsEffect,
  fitTruth,
  monthlyGrowth,
  type SimulationTruth,
  salesCycleMedianDays,
  seasonality,
  sourceTruths,
  winOddsMultipliers,
} from './truth.ts';
import { createCompanyPool } from './world.ts';

export type SimulateOptions = {
  /** How many contacts first appear during the simulation. */
  contacts: number;
  /** How many calendar months it covers, from `start`. */
  months: number;
  seed: number;
  start: Date;
  /** Ids (reps, reasons), event names and page paths come from it. */
  agreement: Agreement;
};

/** One simulated fact, for the ingestion path its kind goes through. */
export type SimulatedFact = {
  at: Date;
  /** The simulated contact it is about (0-based, in order of first appearance). */
  contactIndex: number;
} & (
  | { kind: 'segment'; message: SegmentMessage }
  | { kind: 'touch'; record: TouchRecord }
  | { kind: 'deal-event'; record: DealEventRecord }
  | { kind: 'feedback'; record: FeedbackRecord }
);

export type SimulatedFactKind = SimulatedFact['kind'];

export type Simulation = {
  truth: SimulationTruth;
  /**
   * The facts in time order (same instant: by contact, then in the contact's order). Sales facts
   * follow the engine: a rep touches, judges and sells only a lead the engine handed to that rep
   * (see `follow-engine.ts`). Lazy: each iteration generates them afresh, identical every time,
   * holding the engine's state of the contacts seen so far and the stories still unfolding.
   */
  facts: Iterable<SimulatedFact>;
};

const streams = { arrivals: 0 } as const;

/**
 * A B2B company's sales and marketing facts over `months` months from `start`, generated from
 * `seed` alone: the same options give the same facts, message ids and external ids, so sending a
 * simulation twice stores nothing twice. When a lead reaches sales, and which rep gets it, is the
 * engine's decision under `agreement`. See `truth.ts` for the model.
 */
export function simulate(options: SimulateOptions): Simulation {
  const { contacts, months, seed, start, agreement } = options;
  if (!Number.isInteger(contacts) || contacts < 0) throw new Error(`contacts must be a whole number ≥ 0`);
  if (!Number.isInteger(months) || months < 1 || months > 120) throw new Error('months must be 1 to 120');
  if (!Number.isSafeInteger(seed)) throw new Error('seed must be a safe integer');
  const startMs = start.getTime();
  if (Number.isNaN(startMs)) throw new Error('start must be a valid date');
  const endMs = addMonths(startMs, months);

  const model = createAgreementModel(agreement);
  const context: JourneyContext = {
    seed,
    model,
    pool: createCompanyPool(seed, contacts),
    endMs,
    currency: agreement.currency,
    webinarSlots: webinarSlots(startMs, endMs),
  };
  const arrivals = scheduleArrivals(seed, contacts, months, startMs);

  const activityMultipliers: Record<string, number> = {};
  const behaviours = behaviourIds.map((id) => {
    const resolved = model.behaviours[id];
    if (resolved.activityId !== undefined && id !== 'page-view') {
      activityMultipliers[resolved.activityId] = winOddsMultipliers[id];
    }
    return {
      behaviour: id,
      activityId: resolved.activityId,
      ...(resolved.kind === 'track'
        ? { event: resolved.event }
        : { paths: resolved.pages.map((p) => p.path) }),
      winOddsMultiplier: winOddsMultipliers[id],
    };
  });
  const truth: SimulationTruth = {
    seed,
    contacts,
    months,
    start: new Date(startMs),
    end: new Date(endMs),
    currency: agreement.currency,
    sources: sourceTruths,
    seasonality,
    monthlyGrowth,
    fit: fitTruth,
    baseWinRate,
    fitOddsEffect,
    baseAcceptRate,
    acceptOddsEffect,
    behaviours,
    activityMultipliers,
    dealAmountMedian,
    dealAmountSigma,
    salesCycleMedianDays,
    noiseEvents,
    noisePaths: noisePages.map((p) => p.path),
  };

  return {
    truth,
    facts: { [Symbol.iterator]: () => followEngine(context, arrivals) },
  };
}

/**
 * When each contact first appears and through which source: volume per month follows the
 * seasonality and the growth, split exactly by largest remainder; within a month, visits cluster
 * on weekdays and in (American) daytime; event leads arrive during the month's trade show.
 */
function scheduleArrivals(seed: number, contacts: number, months: number, startMs: number): Arrival[] {
  const random = createRandom(seed, streams.arrivals);
  const bounds = Array.from({ length: months + 1 }, (_, m) => addMonths(startMs, m));
  const weights = Array.from({ length: months }, (_, m) => {
    const middle = new Date(((bounds[m] as number) + (bounds[m + 1] as number)) / 2);
    return (seasonality[middle.getUTCMonth()] ?? 1) * (1 + monthlyGrowth) ** m;
  });
  const total = weights.reduce((sum, w) => sum + w, 0);
  const exact = weights.map((w) => (contacts * w) / total);
  const counts = exact.map(Math.floor);
  const remainder = contacts - counts.reduce((sum, c) => sum + c, 0);
  const byFraction = exact
    .map((value, m) => ({ m, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.m - b.m);
  for (let i = 0; i < remainder; i += 1) {
    const m = (byFraction[i] as { m: number }).m;
    counts[m] = (counts[m] as number) + 1;
  }

  const drafts: { at: number; order: number; source: (typeof sourceTruths)[number] }[] = [];
  for (let m = 0; m < months; m += 1) {
    const from = bounds[m] as number;
    const to = bounds[m + 1] as number;
    const showStart = Math.min(to - 3 * day, from + random.int(8, 18) * day);
    for (let n = 0; n < (counts[m] as number); n += 1) {
      const source = random.weighted(sourceTruths.map((s) => [s, s.share] as const));
      const at =
        source.id === 'events'
          ? Math.max(
              from,
              showStart + Math.floor(random.uniform(13 * hour, 2 * day + 22 * hour)) - (showStart % day),
            )
          : arrivalTime(from, to, random);
      drafts.push({ at: Math.min(at, to - 1), order: drafts.length, source });
    }
  }
  drafts.sort((a, b) => a.at - b.at || a.order - b.order);
  return drafts.map((draft, index) => ({ index, at: draft.at, source: draft.source }));
}

function arrivalTime(from: number, to: number, random: Random): number {
  for (;;) {
    const at = Math.floor(random.uniform(from, to));
    const date = new Date(at);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    if (weekend && random.chance(0.65)) continue;
    // Re-draw the time of day around American working hours (about 15:00 UTC, give or take 4 h).
    const dayStart = at - (at % day);
    const hourOfDay = ((random.normal(16, 4) % 24) + 24) % 24;
    const placed = dayStart + Math.floor(hourOfDay * hour);
    if (placed >= from && placed < to) return placed;
  }
}

/** Webinars every other Thursday at 16:00 UTC, from two weeks before the start to the end. */
function webinarSlots(startMs: number, endMs: number): number[] {
  let first = startMs - (startMs % day) - 14 * day + 16 * hour;
  while (new Date(first).getUTCDay() !== 4) first += day;
  const slots: number[] = [];
  for (let slot = first; slot < endMs + 30 * day; slot += 14 * day) slots.push(slot);
  return slots;
}
