import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Condition } from '../agreement/condition.ts';
import { computeFit } from '../engine/scoring/compute-fit.ts';
import { deriveTraits } from '../engine/scoring/derive-traits.ts';
import { interestScoreAt } from '../engine/scoring/evaluate-interest.ts';
import { emptyInterestState, recordInterestActivity } from '../engine/scoring/interest-state.ts';
import { createCalendarKeys } from './calendar-keys.ts';
import {
  buildFeatureSpace,
  encodeLead,
  type Feature,
  type FeatureDimension,
  type FeatureSpace,
  type LeadFacts,
  leadFacts,
  type Observation,
  observeLead,
} from './features.ts';
import type { LeadHistory } from './history.ts';
import { compressRows, fitPatterns, type LogisticModel, predictLogit, sigmoid } from './logistic.ts';
import {
  areaUnderCurve,
  brierScore,
  liftAtTopDecile,
  logLoss,
  type ReliabilityBin,
  reliabilityTable,
  wilsonInterval,
} from './statistics.ts';

const dayMs = 86_400_000;

export type InsightsOptions = {
  /** The instant of the analysis (epoch ms): facts after it are unknown. */
  asOf: number;
  /** A lead is a customer when it wins within this many days of entering the funnel. Default 180. */
  horizonDays?: number;
  /** The window of frequency bands ("≥ 15 in 30 days"). Default 30. */
  frequencyWindowDays?: number;
  /** Fewest leads behind a row of the close-rate table, a feature of the model or a trigger. Default 30. */
  minLeads?: number;
  /** Fewest customers behind a trigger. Default 5. */
  minCustomers?: number;
  /** Least lift (close rate ÷ average) of a trigger; its Wilson lower bound must also beat the average. Default 2. */
  minLift?: number;
  /** Share of the known leads, the latest by entry, held out to evaluate the model. Default 0.2. */
  holdoutShare?: number;
  /** Points per unit of log-odds when the model is written as agreement points. Default 10 ÷ ln 2 (10 points double the odds). */
  pointsPerLogOdds?: number;
};

export type ActivityCloseRate = {
  dimension: FeatureDimension;
  key: string;
  label: string;
  /** Leads (outcome known) who had this before their outcome. */
  leads: number;
  customers: number;
  closeRate: number;
  /** Wilson 95 % interval of the close rate. */
  low: number;
  high: number;
  /** Close rate ÷ the average close rate, with the interval's bounds divided the same way. */
  lift: number | null;
  liftLow: number | null;
  liftHigh: number | null;
};

export type Trigger = {
  key: string;
  label: string;
  condition: Condition;
  leads: number;
  customers: number;
  closeRate: number;
  low: number;
  high: number;
  lift: number;
  /** Share of all customers who had it before they won. */
  customerShare: number;
  /** Leads (all, outcome known or not) first meeting it in each local month. */
  volumeByMonth: { month: string; leads: number }[];
  averagePerMonth: number;
};

export type ScoreEvaluation = {
  leads: number;
  customers: number;
  auc: number | null;
  brier: number | null;
  logLoss: number | null;
  liftAtTopDecile: number | null;
  reliability: ReliabilityBin[];
};

export type LearnedWeight = {
  key: string;
  dimension: FeatureDimension;
  label: string;
  condition?: Condition;
  /** Log-odds the feature adds. */
  weight: number;
  oddsRatio: number;
  points: number;
  leads: number;
};

export type Insights = {
  asOf: string;
  horizonDays: number;
  frequencyWindowDays: number;
  method: {
    interval: string;
    censoring: string;
    timeAware: string;
    model: string;
    holdout: string;
    agreementScore: string;
  };
  population: {
    leads: number;
    known: number;
    censored: number;
    customers: number;
    closeRate: number | null;
    low: number | null;
    high: number | null;
  };
  closeRates: ActivityCloseRate[];
  triggers: Trigger[];
  model: {
    features: number;
    lambda: number;
    iterations: number;
    trainLeads: number;
    holdoutLeads: number;
    /** Leads that entered the funnel from this instant on are the hold-out. */
    holdoutFrom: string | null;
    intercept: number;
    pointsPerLogOdds: number;
    weights: LearnedWeight[];
    evaluation: { learned: ScoreEvaluation; agreement: ScoreEvaluation } | null;
  };
};

/** What scoring a lead with the learned model needs; not JSON (see `insights` for the report). */
export type LearnedScore = {
  agreement: Agreement;
  space: FeatureSpace;
  model: LogisticModel;
  /** Which features the model reads (source and campaign are not: the agreement cannot say them). */
  modelled: Uint8Array;
  pointsPerLogOdds: number;
  frequencyWindowDays: number;
};

export type Reason = { key: string; label: string; points: number };

export type InsightsResult = {
  insights: Insights;
  score: LearnedScore;
  /** The known leads with their facts and outcome, for suggestions and tests. */
  known: (Observation & { facts: LeadFacts })[];
};

/** Dimensions the model reads: what the agreement's fit and interest can express. */
const modelDimensions: ReadonlySet<FeatureDimension> = new Set(['activity', 'frequency', 'persona', 'trait']);

const lambdas = [0.1, 0.3, 1, 3, 10, 30, 100];
/** Cross-validation reads at most this many training leads (every k-th), to bound its cost. */
const maxValidationLeads = 60_000;

/**
 * The closed-loop analysis of a workspace's history under an agreement: close rates with Wilson
 * intervals per activity, frequency band, source, campaign, persona, fit rule and trait; the
 * triggers that close significantly above average; and a learned score (L2 logistic regression
 * chosen on a time-ordered validation split) evaluated on the latest leads against the
 * agreement's own fit + interest.
 */
export function analyzeInsights(
  agreement: Agreement,
  histories: readonly LeadHistory[],
  options: InsightsOptions,
): InsightsResult {
  const horizonDays = options.horizonDays ?? 180;
  const frequencyWindowDays = options.frequencyWindowDays ?? 30;
  const minLeads = options.minLeads ?? 30;
  const minCustomers = options.minCustomers ?? 5;
  const minLift = options.minLift ?? 2;
  const holdoutShare = options.holdoutShare ?? 0.2;
  const pointsPerLogOdds = options.pointsPerLogOdds ?? 10 / Math.LN2;
  if (!(horizonDays > 0)) throw new Error('horizonDays must be greater than 0');
  if (!(holdoutShare > 0 && holdoutShare < 1)) throw new Error('holdoutShare must be between 0 and 1');

  const known: (Observation & { facts: LeadFacts })[] = [];
  let censored = 0;
  for (const lead of histories) {
    const observed = observeLead(lead, { asOf: options.asOf, horizonDays });
    if ('censored' in observed) {
      censored++;
      continue;
    }
    const facts = leadFacts(agreement, lead, observed.cutoff, { frequencyWindowDays });
    known.push({ ...observed, facts });
  }
  known.sort((a, b) => a.lead.startAt - b.lead.startAt || (a.lead.contactId < b.lead.contactId ? -1 : 1));
  const factsWithOrigin = known.map((k) => withOrigin(k.facts, k.lead));
  const space = buildFeatureSpace(agreement, factsWithOrigin, {
    frequencyWindowDays,
    minLeads,
    maxLevels: 30,
    numericBins: 10,
  });
  const rows = factsWithOrigin.map((facts) => encodeLead(space, facts));
  const labels = Uint8Array.from(known, (k) => (k.won ? 1 : 0));
  const customers = labels.reduce((sum, label) => sum + label, 0);
  const base = known.length === 0 ? null : customers / known.length;
  const baseInterval = known.length === 0 ? null : wilsonInterval(customers, known.length);

  const closeRates = buildCloseRates(space, rows, labels, base);
  const triggers =
    base === null
      ? []
      : findTriggers(agreement, histories, space, closeRates, base, customers, {
          minLeads,
          minCustomers,
          minLift,
          frequencyWindowDays,
        });

  const modelled = Uint8Array.from(space.features, (f) => (modelDimensions.has(f.dimension) ? 1 : 0));
  const modelRows = rows.map((row) => row.filter((index) => modelled[index] === 1));
  const split = Math.floor(known.length * (1 - holdoutShare));
  const canEvaluate =
    split > 0 &&
    split < known.length &&
    hasBothClasses(labels, 0, split) &&
    hasBothClasses(labels, split, known.length);
  const lambda = canEvaluate ? chooseLambda(modelRows, labels, split, space.features.length) : 1;

  let evaluation: Insights['model']['evaluation'] = null;
  if (canEvaluate) {
    const trainModel = fitPatterns(
      compressRows(modelRows.slice(0, split), labels.subarray(0, split)),
      space.features.length,
      { lambda },
    );
    const holdout = modelRows.slice(split);
    const holdoutLabels = labels.subarray(split);
    const learned = holdout.map((row) => sigmoid(predictLogit(trainModel, row)));
    const agreementScores = known.map((k) => agreementScore(agreement, k.lead, k.cutoff));
    const calibration = fitPlatt(agreementScores.slice(0, split), labels.subarray(0, split));
    const agreementProbabilities = agreementScores
      .slice(split)
      .map((score) => sigmoid(calibration.a + calibration.b * score));
    evaluation = {
      learned: evaluate(learned, learned, holdoutLabels),
      agreement: evaluate(agreementScores.slice(split), agreementProbabilities, holdoutLabels),
    };
  }

  const model =
    known.length === 0 || customers === 0 || customers === known.length
      ? {
          intercept: logit(base ?? 0.5),
          weights: new Float64Array(space.features.length),
          iterations: 0,
          converged: true,
        }
      : fitPatterns(compressRows(modelRows, labels), space.features.length, { lambda });
  const support = new Array<number>(space.features.length).fill(0);
  for (const row of rows) for (const index of row) support[index] = (support[index] as number) + 1;
  const weights: LearnedWeight[] = space.features
    .map((feature, index) => ({ feature, index }))
    .filter(({ index }) => modelled[index] === 1)
    .map(({ feature, index }) => {
      const weight = model.weights[index] as number;
      return {
        key: feature.key,
        dimension: feature.dimension,
        label: feature.label,
        ...(feature.condition === undefined ? {} : { condition: feature.condition }),
        weight,
        oddsRatio: Math.exp(weight),
        points: Math.round(weight * pointsPerLogOdds),
        leads: support[index] as number,
      };
    })
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.key < b.key ? -1 : 1));

  const insights: Insights = {
    asOf: new Date(options.asOf).toISOString(),
    horizonDays,
    frequencyWindowDays,
    method: {
      interval:
        'Wilson score interval, 95 %, on every close rate; lift bounds are the interval divided by the average close rate.',
      censoring: `Only leads whose horizon (${horizonDays} days from entering the funnel) has passed by asOf count; younger leads are censored (counted apart, neither customers nor losses).`,
      timeAware: `A lead's activities count only strictly before its first won deal, or before the end of its horizon if it did not win. Frequency bands are the most times within any ${frequencyWindowDays}-day window before that.`,
      model: `L2-regularised logistic regression (Newton/IRLS, our implementation) on yes/no features: activities, frequency bands, personas and trait values (numeric traits as cumulative thresholds at equal-count bins). λ=${lambda} chosen by 3-fold cross-validated log-loss over the training leads (folds interleaved in time).`,
      holdout: `Leads ordered by when they entered the funnel; the latest ${Math.round(holdoutShare * 100)} % are the hold-out, the model is fitted on the earlier ones only.`,
      agreementScore:
        "The agreement's own score: fit + interest (decayed, capped) at the lead's cutoff, turned into a probability by a logistic fit (Platt) on the training leads.",
    },
    population: {
      leads: histories.length,
      known: known.length,
      censored,
      customers,
      closeRate: base,
      low: baseInterval?.low ?? null,
      high: baseInterval?.high ?? null,
    },
    closeRates,
    triggers,
    model: {
      features: modelled.reduce((sum, flag) => sum + flag, 0),
      lambda,
      iterations: model.iterations,
      trainLeads: canEvaluate ? split : known.length,
      holdoutLeads: canEvaluate ? known.length - split : 0,
      holdoutFrom: canEvaluate ? new Date((known[split] as Observation).lead.startAt).toISOString() : null,
      intercept: model.intercept,
      pointsPerLogOdds,
      weights,
      evaluation,
    },
  };
  return {
    insights,
    score: { agreement, space, model, modelled, pointsPerLogOdds, frequencyWindowDays },
    known,
  };
}

function withOrigin(facts: LeadFacts, lead: LeadHistory): LeadFacts & { source?: string; campaign?: string } {
  return {
    ...facts,
    ...(lead.source === undefined ? {} : { source: lead.source }),
    ...(lead.campaign === undefined ? {} : { campaign: lead.campaign }),
  };
}

/**
 * A lead's probability of becoming a customer within the horizon, from everything it did before
 * `at`, with the features that moved it most (in points, largest first).
 */
export function scoreLead(
  score: LearnedScore,
  lead: LeadHistory,
  at: number,
  reasons = 3,
): { probability: number; reasons: Reason[] } {
  const facts = leadFacts(score.agreement, lead, at, { frequencyWindowDays: score.frequencyWindowDays });
  const row = encodeLead(score.space, facts).filter((index) => score.modelled[index] === 1);
  const probability = sigmoid(predictLogit(score.model, row));
  const top = row
    .map((index) => ({ index, weight: score.model.weights[index] as number }))
    .filter(({ weight }) => Math.round(weight * score.pointsPerLogOdds) !== 0)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || a.index - b.index)
    .slice(0, reasons)
    .map(({ index, weight }) => {
      const feature = score.space.features[index] as Feature;
      return { key: feature.key, label: feature.label, points: Math.round(weight * score.pointsPerLogOdds) };
    });
  return { probability, reasons: top };
}

function buildCloseRates(
  space: FeatureSpace,
  rows: readonly number[][],
  labels: Uint8Array,
  base: number | null,
): ActivityCloseRate[] {
  const leads = new Array<number>(space.features.length).fill(0);
  const wins = new Array<number>(space.features.length).fill(0);
  rows.forEach((row, r) => {
    for (const index of row) {
      leads[index] = (leads[index] as number) + 1;
      wins[index] = (wins[index] as number) + (labels[r] as number);
    }
  });
  return space.features
    .map((feature, index) => {
      const n = leads[index] as number;
      const k = wins[index] as number;
      const interval = wilsonInterval(k, n);
      const rate = n === 0 ? 0 : k / n;
      const divide = (value: number) => (base === null || base === 0 ? null : value / base);
      return {
        dimension: feature.dimension,
        key: feature.key,
        label: feature.label,
        leads: n,
        customers: k,
        closeRate: rate,
        low: interval.low,
        high: interval.high,
        lift: divide(rate),
        liftLow: divide(interval.low),
        liftHigh: divide(interval.high),
      };
    })
    .filter((row) => row.leads > 0)
    .sort((a, b) => (b.lift ?? 0) - (a.lift ?? 0) || b.leads - a.leads || (a.key < b.key ? -1 : 1));
}

type TriggerOptions = {
  minLeads: number;
  minCustomers: number;
  minLift: number;
  frequencyWindowDays: number;
};

/**
 * Activities and frequency bands whose close rate is significantly above average: enough leads
 * and customers behind them, a lift of at least `minLift`, and a Wilson lower bound above the
 * average close rate. Ranked by that lower bound, so a pattern seen a handful of times, however
 * perfect its record, ranks below a well-measured one (and below `minLeads` is not a trigger).
 */
function findTriggers(
  agreement: Agreement,
  histories: readonly LeadHistory[],
  space: FeatureSpace,
  rows: readonly ActivityCloseRate[],
  base: number,
  customers: number,
  options: TriggerOptions,
): Trigger[] {
  const candidates = rows.filter(
    (row) =>
      (row.dimension === 'activity' || row.dimension === 'frequency') &&
      row.leads >= options.minLeads &&
      row.customers >= options.minCustomers &&
      row.low > base &&
      (row.lift ?? 0) >= options.minLift,
  );
  const keys = createCalendarKeys(agreement.timezone);
  const featureOf = new Map(space.features.map((f) => [f.key, f]));
  const triggers = candidates.map((row) => {
    const feature = featureOf.get(row.key) as Feature;
    const condition = feature.condition as Condition & {
      activity: string;
      atLeast?: number;
      withinDays?: number;
    };
    const volume = new Map<string, number>();
    for (const lead of histories) {
      const at = firstMet(
        lead,
        condition.activity,
        condition.atLeast ?? 1,
        (condition.withinDays ?? 0) * dayMs,
      );
      if (at === undefined) continue;
      const month = keys.month(at);
      volume.set(month, (volume.get(month) ?? 0) + 1);
    }
    const volumeByMonth = [...volume]
      .map(([month, leads]) => ({ month, leads }))
      .sort((a, b) => (a.month < b.month ? -1 : 1));
    const months = monthSpan(volumeByMonth.map((v) => v.month));
    return {
      key: row.key,
      label: row.label,
      condition: feature.condition as Condition,
      leads: row.leads,
      customers: row.customers,
      closeRate: row.closeRate,
      low: row.low,
      high: row.high,
      lift: row.lift ?? 0,
      customerShare: customers === 0 ? 0 : row.customers / customers,
      volumeByMonth,
      averagePerMonth: months === 0 ? 0 : volumeByMonth.reduce((sum, v) => sum + v.leads, 0) / months,
    };
  });
  return triggers.sort((a, b) => b.low - a.low || b.leads - a.leads || (a.key < b.key ? -1 : 1));
}

/** When a lead first did `activity` `atLeast` times within `windowMs` (any time, for a window of 0). */
function firstMet(
  lead: LeadHistory,
  activity: string,
  atLeast: number,
  windowMs: number,
): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < lead.types.length; i++) {
    if (lead.types[i] !== activity) continue;
    const at = lead.times[i] as number;
    times.push(at);
    if (windowMs === 0) {
      if (times.length >= atLeast) return at;
      continue;
    }
    while (times.length > 0 && at - (times[0] as number) > windowMs) times.shift();
    if (times.length >= atLeast) return at;
  }
  return undefined;
}

function monthSpan(months: readonly string[]): number {
  if (months.length === 0) return 0;
  const toIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  return toIndex(months.at(-1) as string) - toIndex(months[0] as string) + 1;
}

function hasBothClasses(labels: Uint8Array, from: number, to: number): boolean {
  let positives = 0;
  for (let i = from; i < to; i++) positives += labels[i] as number;
  return positives > 0 && positives < to - from;
}

/**
 * λ with the lowest log-loss in 3-fold cross-validation over the training leads, folds
 * interleaved in time order (lead i is in fold i mod 3; above 60,000 leads every k-th is read). Interleaved rather than
 * forward-chained: a later stretch of history can differ so much (the bank data's 2008 vs 2010)
 * that a time-ordered validation picks the flattest model; the hold-out stays time-ordered.
 */
function chooseLambda(
  rows: readonly number[][],
  labels: Uint8Array,
  split: number,
  features: number,
): number {
  const folds = 3;
  const stride = Math.max(1, Math.ceil(split / maxValidationLeads));
  const parts = Array.from({ length: folds }, (_, fold) => {
    const trainRows: number[][] = [];
    const trainLabels: number[] = [];
    const testRows: number[][] = [];
    const testLabels: number[] = [];
    for (let i = 0, k = 0; i < split; i += stride, k++) {
      if (k % folds === fold) {
        testRows.push(rows[i] as number[]);
        testLabels.push(labels[i] as number);
      } else {
        trainRows.push(rows[i] as number[]);
        trainLabels.push(labels[i] as number);
      }
    }
    return { patterns: compressRows(trainRows, trainLabels), testRows, testLabels };
  });
  if (parts.some((part) => !part.testLabels.includes(1) || !part.testLabels.includes(0))) return 1;
  let best = { lambda: 1, loss: Number.POSITIVE_INFINITY };
  // From the flattest model down, each fold warm-started from its previous solution.
  const previous: (LogisticModel | undefined)[] = parts.map(() => undefined);
  for (const lambda of [...lambdas].reverse()) {
    let loss = 0;
    for (const [index, part] of parts.entries()) {
      const start = previous[index];
      const model = fitPatterns(part.patterns, features, {
        lambda,
        ...(start === undefined ? {} : { start }),
      });
      previous[index] = model;
      const predictions = part.testRows.map((row) => sigmoid(predictLogit(model, row)));
      loss += (logLoss(predictions, part.testLabels) as number) * part.testRows.length;
    }
    if (loss < best.loss - 1e-9 || (loss <= best.loss + 1e-9 && lambda > best.lambda))
      best = { lambda, loss };
  }
  return best.lambda;
}

function evaluate(scores: number[], probabilities: number[], labels: Uint8Array): ScoreEvaluation {
  return {
    leads: labels.length,
    customers: labels.reduce((sum, label) => sum + label, 0),
    auc: areaUnderCurve(scores, labels),
    brier: brierScore(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    liftAtTopDecile: liftAtTopDecile(scores, labels),
    reliability: reliabilityTable(probabilities, labels),
  };
}

/** The agreement's fit + interest of a lead as of its latest activity before `cutoff`, as the engine scores it. */
function agreementScore(agreement: Agreement, lead: LeadHistory, cutoff: number): number {
  const fit = computeFit(agreement, deriveTraits(lead.traits, lead.email ?? undefined)).score;
  let state = emptyInterestState();
  let last: number | undefined;
  for (let i = 0; i < lead.times.length; i++) {
    const at = lead.times[i] as number;
    if (at >= cutoff) break;
    state = recordInterestActivity(state, agreement, lead.types[i] as string, at);
    last = at;
  }
  // Read at its latest activity, not at the cutoff: a lead that did not win is cut at the end of
  // its horizon, so decay up to the cutoff would mark it down for losing.
  const interest = last === undefined ? 0 : interestScoreAt(state, agreement, last);
  return fit + interest;
}

/** A one-variable logistic calibration p = σ(a + b·score), by Newton's method. */
function fitPlatt(scores: readonly number[], labels: Uint8Array): { a: number; b: number } {
  let mean = 0;
  for (const score of scores) mean += score;
  mean /= Math.max(1, scores.length);
  let spread = 0;
  for (const score of scores) spread += (score - mean) ** 2;
  spread = Math.sqrt(spread / Math.max(1, scores.length)) || 1;
  let a = 0;
  let b = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 1e-9;
    let h01 = 0;
    let h11 = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const x = ((scores[i] as number) - mean) / spread;
      const p = sigmoid(a + b * x);
      const w = p * (1 - p);
      const r = (labels[i] as number) - p;
      g0 += r;
      g1 += r * x;
      h00 += w;
      h01 += w * x;
      h11 += w * x * x;
    }
    const det = h00 * h11 - h01 * h01;
    if (det <= 0) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a: a - (b * mean) / spread, b: b / spread };
}

function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}
