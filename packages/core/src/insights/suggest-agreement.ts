import { parseDocument } from 'yaml';
import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Condition } from '../agreement/condition.ts';
import { type AgreementChange, diffAgreements } from '../agreement/diff-agreements.ts';
import type { AgreementIssue } from '../agreement/issues.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { computeFit, gradeFit } from '../engine/scoring/compute-fit.ts';
import { deriveTraits } from '../engine/scoring/derive-traits.ts';
import { interestScoreAt } from '../engine/scoring/evaluate-interest.ts';
import { emptyInterestState, recordInterestActivity } from '../engine/scoring/interest-state.ts';
import type { InsightsResult } from './analyze-insights.ts';
import type { Observation } from './features.ts';

/** What the suggestion expects, measured on the leads whose outcome is known. */
export type SuggestionClaim = {
  leads: number;
  current: { hot: number; customers: number; closeRate: number | null };
  candidate: { hot: number; customers: number; closeRate: number | null };
  thresholds: { fit: number; interest: number };
  triggers: string[];
};

export type AgreementSuggestion =
  | { ok: true; yaml: string; agreement: Agreement; changes: AgreementChange[]; claim: SuggestionClaim }
  | { ok: false; issues: AgreementIssue[] };

export type SuggestOptions = {
  /** At most this many triggers join the MQL stage's entry rule. Default 3. */
  maxTriggers?: number;
  /** The candidate's hot quadrant keeps at least this share of the current one's volume. Default 0.8. */
  minVolumeShare?: number;
};

/**
 * A candidate agreement from the analysis: the current document (comments kept) with the learned
 * points written in the agreement's language. Each activity's points become its learned weight
 * (counted once: its cap is its points; group and total caps go, so the score adds up like the
 * model), frequency bands become frequency rules, persona and trait weights become the fit rules,
 * grades are re-cut on the new fit scores keeping their shares, the quadrant thresholds are the pair that makes hot
 * leads close best while keeping their volume, and the strongest triggers that close at least as
 * well as those hot leads join the MQL entry.
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
    current: peakScores(current, observation),
    candidate: peakScores(draft.agreement, observation),
  }));
  const grades = current.fit.grades;
  if (grades !== undefined && grades.length > 1) {
    // Keep each grade's share of the leads as it is now, so rules and SLA points that name a
    // grade (the MQL entry's "not D", gradePoints) keep their volume.
    const names = grades.map((g) => g.grade);
    const counts = names.map(
      (name) => scored.filter((s) => gradeFit(current, s.current.fit) === name).length,
    );
    const shares = counts.slice(0, -1).map((_, i) => {
      const above = counts.slice(0, i + 1).reduce((sum, c) => sum + c, 0);
      return above / Math.max(1, scored.length);
    });
    const fits = scored.map((s) => s.candidate.fit);
    const bands = cutGrades(names, fits, shares) ?? cutGrades(names, fits, defaultShares(names.length));
    if (bands !== undefined) doc.setIn(['fit', 'grades'], doc.createNode(bands));
  }
  const isHot = (s: { fit: number; interest: number }, t: { fit: number; interest: number }) =>
    s.fit >= t.fit && s.interest >= t.interest;
  const currentHot = scored.filter((s) => isHot(s.current, current.quadrants.thresholds));
  const currentWins = currentHot.filter((s) => s.observation.won).length;
  const minimum = Math.max(1, Math.ceil((currentHot.length || scored.length / 10) * minVolumeShare));
  const thresholds = chooseThresholds(
    scored.map((s) => ({ ...s.candidate, won: s.observation.won })),
    minimum,
  ) ?? { fit: current.quadrants.thresholds.fit, interest: current.quadrants.thresholds.interest };
  doc.setIn(['quadrants', 'thresholds', 'fit'], thresholds.fit);
  doc.setIn(['quadrants', 'thresholds', 'interest'], thresholds.interest);
  const candidateHot = scored.filter((s) => isHot(s.candidate, thresholds));
  const candidateWins = candidateHot.filter((s) => s.observation.won).length;

  // Triggers that close at least as well as the new hot quadrant join the MQL entry rule, so
  // they add volume without lowering the MQLs' close rate.
  const candidateRate = candidateHot.length === 0 ? 0 : candidateWins / candidateHot.length;
  const mqlStage = current.sla.marketing.stage;
  const mqlIndex = current.stages.findIndex((stage) => stage.id === mqlStage);
  const triggers = insights.triggers
    .filter((trigger) => 'activity' in trigger.condition && known.has(trigger.condition.activity))
    .filter((trigger) => trigger.closeRate >= candidateRate)
    .slice(0, maxTriggers);
  const stage = current.stages[mqlIndex];
  if (stage !== undefined && triggers.length > 0) {
    const existing: Condition[] =
      stage.entry === undefined ? [] : 'any' in stage.entry ? stage.entry.any : [stage.entry];
    const seen = new Set(existing.map((condition) => JSON.stringify(condition)));
    const added = triggers.map((t) => t.condition).filter((c) => !seen.has(JSON.stringify(c)));
    doc.setIn(['stages', mqlIndex, 'entry'], doc.createNode({ any: [...existing, ...added] }));
  }

  const yaml = doc.toString();
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return {
    ok: true,
    yaml,
    agreement: parsed.agreement,
    changes: diffAgreements(current, parsed.agreement),
    claim: {
      leads: scored.length,
      current: {
        hot: currentHot.length,
        customers: currentWins,
        closeRate: currentHot.length === 0 ? null : currentWins / currentHot.length,
      },
      candidate: {
        hot: candidateHot.length,
        customers: candidateWins,
        closeRate: candidateHot.length === 0 ? null : candidateWins / candidateHot.length,
      },
      thresholds,
      triggers: triggers.map((t) => t.key),
    },
  };
}

/** Fit, and the highest interest reached before the cutoff (a lead is hot once it gets there). */
function peakScores(agreement: Agreement, observation: Observation): { fit: number; interest: number } {
  const { lead, cutoff } = observation;
  const fit = computeFit(agreement, deriveTraits(lead.traits, lead.email ?? undefined)).score;
  let state = emptyInterestState();
  let peak = 0;
  for (let i = 0; i < lead.times.length; i++) {
    const at = lead.times[i] as number;
    if (at >= cutoff) break;
    state = recordInterestActivity(state, agreement, lead.types[i] as string, at);
    peak = Math.max(peak, interestScoreAt(state, agreement, at));
  }
  return { fit, interest: peak };
}

/**
 * The fit and interest thresholds (whole points, from the scores' own quantiles) whose hot
 * quadrant closes best among those holding at least `minimum` leads; more leads break ties.
 */
function chooseThresholds(
  leads: readonly { fit: number; interest: number; won: boolean }[],
  minimum: number,
): { fit: number; interest: number } | undefined {
  const cuts = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const found = new Set<number>();
    for (let q = 0; q < 20; q++) found.add(Math.ceil(sorted[Math.floor((q / 20) * sorted.length)] ?? 0));
    return [...found].sort((a, b) => a - b);
  };
  const fitCuts = cuts(leads.map((l) => l.fit));
  const interestCuts = cuts(leads.map((l) => l.interest)).filter((cut) => cut > 0);
  let best: { fit: number; interest: number; rate: number; count: number } | undefined;
  for (const fit of fitCuts) {
    for (const interest of interestCuts) {
      let count = 0;
      let wins = 0;
      for (const lead of leads) {
        if (lead.fit >= fit && lead.interest >= interest) {
          count++;
          if (lead.won) wins++;
        }
      }
      if (count < minimum) continue;
      const rate = wins / count;
      if (
        best === undefined ||
        rate > best.rate + 1e-12 ||
        (Math.abs(rate - best.rate) <= 1e-12 && count > best.count)
      ) {
        best = { fit, interest, rate, count };
      }
    }
  }
  return best === undefined ? undefined : { fit: best.fit, interest: best.interest };
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
