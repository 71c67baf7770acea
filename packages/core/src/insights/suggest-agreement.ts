import { parseDocument } from 'yaml';
import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Condition } from '../agreement/condition.ts';
import { type AgreementChange, diffAgreements } from '../agreement/diff-agreements.ts';
import type { AgreementIssue } from '../agreement/issues.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { computeFit, gradeFit } from '../engine/scoring/compute-fit.ts';
import { deriveTraits } from '../engine/scoring/derive-traits.ts';
import { type ConditionContext, evaluateCondition } from '../engine/scoring/evaluate-condition.ts';
import { interestScoreAt } from '../engine/scoring/evaluate-interest.ts';
import {
  countActivity,
  emptyInterestState,
  recordInterestActivityInPlace,
} from '../engine/scoring/interest-state.ts';
import type { InsightsResult } from './analyze-insights.ts';
import type { Observation } from './features.ts';

/**
 * What the suggestion expects of its MQLs, measured in sample on the leads whose outcome is known:
 * how many of them each agreement's MQL rule takes (fit, grade and interest replayed activity by
 * activity up to the outcome) and how many of those won — the figure the backtest's
 * `totals.actualCloseRate` measures with the engine.
 */
export type SuggestionClaim = {
  leads: number;
  current: { mqls: number; customers: number; closeRate: number | null };
  candidate: { mqls: number; customers: number; closeRate: number | null };
  thresholds: { fit: number; interest: number };
  triggers: string[];
};

export type AgreementSuggestion =
  | { ok: true; yaml: string; agreement: Agreement; changes: AgreementChange[]; claim: SuggestionClaim }
  | { ok: false; issues: AgreementIssue[] };

export type SuggestOptions = {
  /** At most this many triggers join the MQL stage's entry rule. Default 3. */
  maxTriggers?: number;
  /** The candidate's MQLs keep at least this share of the current ones' volume. Default 0.8. */
  minVolumeShare?: number;
  /** The MQL rule is tried on at most this many leads of known outcome, evenly spread. Default 10,000. */
  maxLeads?: number;
};

/**
 * A candidate agreement from the analysis: the current document (comments kept) with the learned
 * points written in the agreement's language. Each activity's points become its learned weight
 * (counted once: its cap is its points; group and total caps go, so the score adds up like the
 * model), frequency bands become frequency rules, persona and trait weights become the fit rules,
 * grades are re-cut on the new fit scores keeping their shares, the strongest triggers that close
 * at least as well as today's MQLs join the MQL entry, and the quadrant thresholds are the pair
 * whose MQLs (replayed in sample under that entry) close best while keeping their volume.
 * Activities the analysis could not measure keep their points.
 */
export function suggestAgreement(
  currentYaml: string,
  current: Agreement,
  result: InsightsResult,
  options: SuggestOptions = {},
): AgreementSuggestion {
  const maxTriggers = options.maxTriggers ?? 3;
  const minVolumeShare = options.minVolumeShare ?? 0.8;
  const { insights } = result;
  const points = new Map(insights.model.weights.map((w) => [w.key, w]));
  const doc = parseDocument(currentYaml);

  current.interest.activities.forEach((activity, index) => {
    const learned = points.get(`activity:${activity.id}`);
    const value = learned?.points ?? activity.points;
    doc.setIn(['interest', 'activities', index, 'points'], value);
    if (value > 0) doc.setIn(['interest', 'activities', index, 'cap'], value);
    else doc.deleteIn(['interest', 'activities', index, 'cap']);
    doc.deleteIn(['interest', 'activities', index, 'group']);
  });
  doc.deleteIn(['interest', 'totalCap']);
  doc.setIn(['interest', 'groupCaps'], doc.createNode({}));

  const known = new Set(current.interest.activities.map((a) => a.id));
  const frequency = insights.model.weights
    .filter((w) => w.dimension === 'frequency' && w.points !== 0 && w.condition !== undefined)
    .map((w) => w.condition as { activity: string; atLeast: number; withinDays: number } & Condition)
    .filter((condition) => known.has(condition.activity))
    .map((condition) => {
      const weight = points.get(
        `frequency:${condition.activity}:${condition.atLeast}`,
      ) as (typeof insights.model.weights)[number];
      return {
        id: `${condition.activity}-${condition.atLeast}-in-${condition.withinDays}d`,
        label: weight.label,
        activity: condition.activity,
        atLeast: condition.atLeast,
        withinDays: condition.withinDays,
        points: weight.points,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  doc.setIn(['interest', 'frequency'], doc.createNode(frequency));

  const ids = new Set<string>();
  const fitRules = insights.model.weights
    .filter((w) => (w.dimension === 'trait' || w.dimension === 'persona') && w.points !== 0 && w.condition)
    .map((w) => ({
      id: uniqueId(w.key, ids),
      label: w.label.slice(0, 200),
      when: w.condition,
      points: w.points,
    }));
  doc.setIn(['fit', 'rules'], doc.createNode(fitRules));

  // The fit and interest scales changed: cut grades and thresholds on the new scores.
  const draft = parseAgreement(doc.toString());
  if (!draft.ok) return { ok: false, issues: draft.issues };
  const scored = result.known.map((observation) => ({
    observation,
    current: fitOf(current, observation),
    candidate: fitOf(draft.agreement, observation),
  }));
  const grades = current.fit.grades;
  if (grades !== undefined && grades.length > 1) {
    // Keep each grade's share of the leads as it is now, so rules and SLA points that name a
    // grade (the MQL entry's "not D", gradePoints) keep their volume.
    const names = grades.map((g) => g.grade);
    const counts = names.map((name) => scored.filter((s) => gradeFit(current, s.current) === name).length);
    const shares = counts.slice(0, -1).map((_, i) => {
      const above = counts.slice(0, i + 1).reduce((sum, c) => sum + c, 0);
      return above / Math.max(1, scored.length);
    });
    const fits = scored.map((s) => s.candidate);
    const bands = cutGrades(names, fits, shares) ?? cutGrades(names, fits, defaultShares(names.length));
    if (bands !== undefined) doc.setIn(['fit', 'grades'], doc.createNode(bands));
  }
  const graded = parseAgreement(doc.toString());
  if (!graded.ok) return { ok: false, issues: graded.issues };

  // The MQL definition: which leads would become MQLs, replayed in sample on the leads whose
  // outcome is known (the claim is about the same figure the backtest measures).
  const mqlStage = current.sla.marketing.stage;
  const mqlIndex = current.stages.findIndex((stage) => stage.id === mqlStage);
  const stage = current.stages[mqlIndex];
  const existing: Condition[] =
    stage?.entry === undefined ? [] : 'any' in stage.entry ? stage.entry.any : [stage.entry];
  const sample = sampleOf(result.known, options.maxLeads ?? 10_000);
  const currentTraces = sample.map((o) => traceLead(current, stage?.entry, o));
  const currentMqls = countMqls(currentTraces, current.quadrants.thresholds);
  const currentRate = currentMqls.mqls === 0 ? 0 : currentMqls.customers / currentMqls.mqls;

  // Triggers that close at least as well as today's MQLs join the entry rule.
  const seen = new Set(existing.map((condition) => JSON.stringify(condition)));
  const triggers = insights.triggers
    .filter((trigger) => 'activity' in trigger.condition && known.has(trigger.condition.activity))
    .filter((trigger) => trigger.closeRate >= currentRate)
    .slice(0, maxTriggers);
  const added = triggers.map((t) => t.condition).filter((c) => !seen.has(JSON.stringify(c)));

  // Two MQL rules are tried, each with the thresholds whose MQLs close best while keeping their
  // volume: the current rule with the triggers added, and "hot, or a trigger" alone (the learned
  // points already weigh what the current rule's other branches name). The better one is kept.
  const minimum = Math.max(1, Math.ceil(currentMqls.mqls * minVolumeShare));
  // An MQL stage that people move leads into by hand (no entry rule) gets no rule and keeps its thresholds.
  const rules: (Condition | undefined)[] =
    stage?.entry === undefined
      ? []
      : [
          added.length > 0 ? { any: [...existing, ...added] } : stage.entry,
          { any: [{ quadrant: 'hot' }, ...triggers.map((t) => t.condition)] },
        ];
  let chosen:
    | {
        entry: Condition | undefined;
        thresholds: { fit: number; interest: number };
        rate: number;
        traces: MqlTrace[];
      }
    | undefined;
  for (const entry of rules) {
    const traces = sample.map((o) => traceLead(graded.agreement, entry, o));
    const found = chooseThresholds(traces, minimum);
    if (found === undefined) continue;
    if (chosen === undefined || found.rate > chosen.rate + 1e-12)
      chosen = { entry, thresholds: found, rate: found.rate, traces };
  }
  const entry = chosen?.entry ?? stage?.entry;
  const thresholds =
    chosen === undefined
      ? { fit: current.quadrants.thresholds.fit, interest: current.quadrants.thresholds.interest }
      : { fit: chosen.thresholds.fit, interest: chosen.thresholds.interest };
  const candidateTraces = chosen?.traces ?? sample.map((o) => traceLead(graded.agreement, entry, o));
  if (stage !== undefined && JSON.stringify(entry) !== JSON.stringify(stage.entry))
    doc.setIn(['stages', mqlIndex, 'entry'], doc.createNode(entry));
  doc.setIn(['quadrants', 'thresholds', 'fit'], thresholds.fit);
  doc.setIn(['quadrants', 'thresholds', 'interest'], thresholds.interest);
  const candidateMqls = countMqls(candidateTraces, thresholds);

  const yaml = doc.toString();
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return {
    ok: true,
    yaml,
    agreement: parsed.agreement,
    changes: diffAgreements(current, parsed.agreement),
    claim: {
      leads: sample.length,
      current: {
        ...currentMqls,
        closeRate: currentMqls.mqls === 0 ? null : currentMqls.customers / currentMqls.mqls,
      },
      candidate: {
        ...candidateMqls,
        closeRate: candidateMqls.mqls === 0 ? null : candidateMqls.customers / candidateMqls.mqls,
      },
      thresholds,
      triggers: triggers.map((t) => t.key),
    },
  };
}

function fitOf(agreement: Agreement, observation: Observation): number {
  const { lead } = observation;
  return computeFit(agreement, deriveTraits(lead.traits, lead.email ?? undefined)).score;
}

/** At most `max` observations, evenly spread over them (the threshold search is per lead and pair). */
function sampleOf<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, k) => items[Math.floor(k * step)] as T);
}

const quadrantIds = ['hot', 'nurture', 'fan', 'drop'] as const;

/**
 * One lead replayed against an MQL entry rule: its fit, and after each of its activities before
 * the cutoff its interest and, for each quadrant it could be in then, whether the rule holds
 * (bit q of `holds`, q as in `quadrantIds`). The quadrant is left open so thresholds can be tried
 * without replaying the lead again.
 */
type MqlTrace = { fit: number; won: boolean; interest: Float64Array; holds: Uint8Array };

function traceLead(agreement: Agreement, entry: Condition | undefined, observation: Observation): MqlTrace {
  const { lead, cutoff, won } = observation;
  const profile = deriveTraits(lead.traits, lead.email ?? undefined);
  const fit = computeFit(agreement, profile);
  const personas = new Set(fit.personas);
  let count = 0;
  while (count < lead.times.length && (lead.times[count] as number) < cutoff) count++;
  const interest = new Float64Array(count);
  const holds = new Uint8Array(count);
  let state = emptyInterestState();
  for (let i = 0; i < count; i++) {
    const at = lead.times[i] as number;
    // In place: the state is this trace's own and nothing holds on to it.
    state = recordInterestActivityInPlace(state, agreement, lead.types[i] as string, at);
    interest[i] = interestScoreAt(state, agreement, at);
    if (entry === undefined) continue;
    const current = state;
    const context: ConditionContext = {
      traits: profile,
      personas,
      fitGrade: fit.grade,
      deals: { created: false, won: false, lost: false },
      countActivity: (activityId, withinDays) => countActivity(current, activityId, at, withinDays),
    };
    let bits = 0;
    quadrantIds.forEach((quadrant, q) => {
      if (evaluateCondition(entry, { ...context, quadrant })) bits |= 1 << q;
    });
    holds[i] = bits;
  }
  return { fit: fit.score, won, interest, holds };
}

/** The traced leads that meet the MQL rule before their cutoff under these thresholds, and those of them who won. */
function countMqls(
  traces: readonly MqlTrace[],
  thresholds: { fit: number; interest: number },
): { mqls: number; customers: number } {
  let mqls = 0;
  let customers = 0;
  for (const trace of traces) {
    const goodFit = trace.fit >= thresholds.fit;
    for (let i = 0; i < trace.holds.length; i++) {
      const interested = (trace.interest[i] as number) >= thresholds.interest;
      const q = goodFit ? (interested ? 0 : 1) : interested ? 2 : 3;
      if (((trace.holds[i] as number) & (1 << q)) === 0) continue;
      mqls++;
      if (trace.won) customers++;
      break;
    }
  }
  return { mqls, customers };
}

/**
 * The fit and interest thresholds (whole points, from the scores' own 5 %-quantiles) whose MQLs
 * close best among those making at least `minimum` MQLs; more MQLs break ties.
 */
function chooseThresholds(
  traces: readonly MqlTrace[],
  minimum: number,
): { fit: number; interest: number; rate: number } | undefined {
  const cuts = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const found = new Set<number>();
    for (let q = 0; q < 20; q++) found.add(Math.ceil(sorted[Math.floor((q / 20) * sorted.length)] ?? 0));
    return [...found].sort((a, b) => a - b);
  };
  const fitCuts = cuts(traces.map((t) => t.fit));
  const interestCuts = cuts(traces.map((t) => t.interest.reduce((peak, v) => Math.max(peak, v), 0))).filter(
    (cut) => cut > 0,
  );
  let best: { fit: number; interest: number; rate: number; count: number } | undefined;
  for (const fit of fitCuts) {
    for (const interest of interestCuts) {
      const { mqls, customers } = countMqls(traces, { fit, interest });
      if (mqls < minimum) continue;
      const rate = customers / mqls;
      if (
        best === undefined ||
        rate > best.rate + 1e-12 ||
        (Math.abs(rate - best.rate) <= 1e-12 && mqls > best.count)
      ) {
        best = { fit, interest, rate, count: mqls };
      }
    }
  }
  return best === undefined ? undefined : { fit: best.fit, interest: best.interest, rate: best.rate };
}

/**
 * Grade bands on the new fit scores, the best grade first, cut where the cumulative `shares` of
 * the leads fall (by default the top 15 %, the next 20 %, then 30 %, the rest). Undefined when the
 * scores are too alike to cut that many distinct bands.
 */
function defaultShares(grades: number): number[] {
  return grades === 4 ? [0.15, 0.35, 0.65] : Array.from({ length: grades - 1 }, (_, i) => (i + 1) / grades);
}

function cutGrades(names: string[], scores: number[], shares: number[]) {
  if (shares.some((share) => share <= 0 || share >= 1)) return undefined;
  const sorted = [...scores].sort((a, b) => b - a);
  const mins = shares.map((share) =>
    Math.ceil(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0),
  );
  for (let i = 1; i < mins.length; i++) if ((mins[i] as number) >= (mins[i - 1] as number)) return undefined;
  return names.map((grade, i) => {
    if (i === 0) return { grade, min: mins[0] as number };
    if (i === names.length - 1) return { grade, max: (mins[i - 1] as number) - 1 };
    return { grade, min: mins[i] as number, max: (mins[i - 1] as number) - 1 };
  });
}

function uniqueId(key: string, taken: Set<string>): string {
  const base =
    key
      .toLowerCase()
      .replace(/∈/g, '-')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .replace(/^([0-9])/, 'n$1')
      .slice(0, 60)
      .replace(/-+$/, '') || 'rule';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}
