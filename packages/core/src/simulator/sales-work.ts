import type { TouchKind } from '../agreement/agreement-schema.ts';
import type { FeedbackKind } from '../agreement/condition.ts';
import type { AccountRecord, ContactRef, DealEventRecord, FeedbackRecord } from '../ingest/records.ts';
import type { BehaviourId } from './agreement-model.ts';
import { day, hour, isoDate, minute, nextQuarterStart, toWorkingTime } from './calendar.ts';
import type { JourneyContext } from './journey.ts';
import { createRandom, type Random } from './random.ts';
import type { SimulatedFact } from './simulate.ts';
import {
  acceptOddsEffect,
  baseAcceptRate,
  baseWinRate,
  dealAmountMedian,
  dealAmountSigma,
  fitOddsEffect,
  salesCycleMedianDays,
  winOddsMultipliers,
} from './truth.ts';
import { companyTraits, type Person } from './world.ts';

/** A lead as the sales side knows it: who it is and what it did (its whole marketing history). */
export type Lead = {
  index: number;
  /** `<seed>-<index>`, the stem of the contact's external ids. */
  tag: string;
  ref: ContactRef;
  person: Person;
  intent: number;
  /** The behaviours the contact showed and when, oldest first. */
  history: readonly { at: number; behaviour: BehaviourId | undefined }[];
  /** The next number of the contact's own counter, shared with its Segment message ids. */
  nextKey(): number;
};

/** The engine gave the lead to a rep at `at`; the first touch is due by `deadlineAt`. */
type Handover = { repId: string; at: number; deadlineAt: number };

/** What reps do with a lead; the facts are in time order, after `at` and before the end. */
export type SalesWork = {
  /**
   * The rep given the lead works it: touches, a verdict (feedback with one of the agreement's
   * reasons) and, for an accepted lead, maybe a deal.
   */
  work(handover: Handover): SimulatedFact[];
  /** A rep given a lead someone else already worked introduces themself: one touch. */
  takeOver(handover: Handover): SimulatedFact[];
};

const streams = { sales: 4 } as const;
const baseWinOdds = baseWinRate / (1 - baseWinRate);
const dealStages = ['discovery', 'demo', 'proposal', 'negotiation'] as const;

/**
 * How the simulated sales team works one contact's hand-overs. It draws from the contact's own
 * stream, so the work depends only on the seed, the contact and the hand-overs the engine made.
 */
export function createSalesWork(context: JourneyContext, lead: Lead): SalesWork {
  const { seed, model } = context;
  const { index, tag, ref, person, intent } = lead;
  let random: Random | undefined;
  let deals = 0;

  const generate = (write: (random: Random, facts: SimulatedFact[]) => void) => {
    random ??= createRandom(seed, streams.sales, index);
    const facts: SimulatedFact[] = [];
    write(random, facts);
    return facts
      .filter((fact) => fact.at.getTime() < context.endMs)
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  };
  return {
    work: (handover) => generate((random, facts) => workLead(random, facts, handover)),
    takeOver: (handover) =>
      generate((random, facts) => {
        if (random.chance(0.04)) return;
        const at = firstTouchAt(random, handover);
        touch(facts, handover.repId, at, random.chance(0.6) ? 'email' : 'call', 'sent');
      }),
  };

  /** Mostly well within the deadline, sometimes late, in the rep's working hours. */
  function firstTouchAt(random: Random, handover: Handover): number {
    const deadline = Math.max(hour, handover.deadlineAt - handover.at);
    return toWorkingTime(handover.at + Math.max(2 * minute, random.lognormal(deadline / 10, 1.6)), random);
  }

  function workLead(random: Random, facts: SimulatedFact[], handover: Handover): void {
    const { repId: rep } = handover;
    if (random.chance(0.04)) return; // nobody ever works it
    let at = firstTouchAt(random, handover);
    const invalid = person.spam
      ? 'spam'
      : person.student
        ? 'student'
        : person.company?.competitor
          ? 'competitor'
          : random.chance(0.02)
            ? 'duplicate'
            : undefined;
    const attempts = random.int(3, 6);
    let reached = false;
    for (let attempt = 0; attempt < attempts && !reached; attempt += 1) {
      const kind = random.weighted<TouchKind>(
        attempt === 0
          ? [
              ['call', 55],
              ['email', 40],
              ['social', 5],
            ]
          : [
              ['email', 50],
              ['call', 45],
              ['sms', 5],
            ],
      );
      const p = kind === 'call' ? 0.3 + 0.4 * intent : kind === 'email' ? 0.15 + 0.35 * intent : 0.1;
      reached = invalid === undefined && random.chance(p);
      const outcome =
        kind === 'call'
          ? reached
            ? 'connected'
            : random.pick(['voicemail', 'no-answer'])
          : reached
            ? 'replied'
            : 'sent';
      touch(facts, rep, at, kind, outcome);
      if (invalid !== undefined) break;
      if (!reached && attempt + 1 < attempts) at = toWorkingTime(at + random.uniform(1, 3.5) * day, random);
    }
    const decidedAt = toWorkingTime(at + random.lognormal(3 * hour, 1), random);
    if (invalid !== undefined) {
      feedback(random, facts, rep, decidedAt, 'reject', reasonFrom(model.reasons.reject, invalid, random));
      return;
    }
    if (!reached) {
      if (random.chance(0.75))
        feedback(
          random,
          facts,
          rep,
          decidedAt,
          'recycle',
          reasonFrom(model.reasons.recycle, 'no-response', random),
        );
      return;
    }
    if (random.chance(0.08)) return; // worked, but the rep never says what came of it
    // A rep accepts what really looks like a buyer: the same fit and activities that win deals.
    const lift = Math.log(winOdds(decidedAt) / baseWinOdds);
    if (random.chance(sigmoid(logit(baseAcceptRate) + acceptOddsEffect * lift))) {
      feedback(random, facts, rep, decidedAt, 'accept', undefined);
      openDeal(random, facts, rep, decidedAt);
      return;
    }
    if (person.fit < 0.35) {
      const reason = random.chance(0.7) ? 'not-icp' : 'no-budget';
      feedback(random, facts, rep, decidedAt, 'reject', reasonFrom(model.reasons.reject, reason, random));
      return;
    }
    if ((person.seniority === 'individual' || person.seniority === 'manager') && random.chance(0.5)) {
      feedback(
        random,
        facts,
        rep,
        decidedAt,
        'recycle',
        reasonFrom(model.reasons.recycle, 'wrong-contact', random),
      );
      return;
    }
    if (random.chance(0.6)) {
      feedback(
        random,
        facts,
        rep,
        decidedAt,
        'recycle',
        reasonFrom(model.reasons.recycle, 'not-now', random),
      );
      return;
    }
    feedback(random, facts, rep, decidedAt, 'reject', reasonFrom(model.reasons.reject, 'no-budget', random));
  }

  /** The odds of winning a deal, from true fit and the activities done up to `at` (see truth.ts). */
  function winOdds(at: number): number {
    const done = new Set<BehaviourId>();
    for (const item of lead.history) {
      if (item.at > at) break;
      if (item.behaviour !== undefined) done.add(item.behaviour);
    }
    let odds = baseWinOdds * Math.exp(fitOddsEffect * (person.fit - 0.5));
    for (const behaviour of done) odds *= winOddsMultipliers[behaviour];
    return odds;
  }

  function touch(facts: SimulatedFact[], rep: string, at: number, kind: TouchKind, outcome: string) {
    facts.push({
      at: new Date(at),
      contactIndex: index,
      kind: 'touch',
      record: {
        ref,
        repId: rep,
        kind,
        occurredAt: new Date(at),
        outcome,
        externalId: `sim:touch-${tag}-${lead.nextKey()}`,
        source: 'simulator',
      },
    });
  }

  function feedback(
    random: Random,
    facts: SimulatedFact[],
    rep: string,
    at: number,
    verdict: FeedbackKind,
    reason: string | undefined,
  ) {
    const record: FeedbackRecord = {
      ref,
      repId: rep,
      verdict,
      occurredAt: new Date(at),
      externalId: `sim:feedback-${tag}-${lead.nextKey()}`,
      source: 'simulator',
    };
    if (reason !== undefined) record.reason = reason;
    if (random.chance(0.6)) {
      const score = 1 + 4 * (0.65 * person.fit + 0.35 * intent) + random.normal(0, 0.6);
      record.rating = Math.min(5, Math.max(1, Math.round(score))) as 1 | 2 | 3 | 4 | 5;
    }
    facts.push({ at: new Date(at), contactIndex: index, kind: 'feedback', record });
  }

  function openDeal(random: Random, facts: SimulatedFact[], rep: string, acceptedAt: number) {
    let at = toWorkingTime(acceptedAt + random.uniform(1, 6) * day, random);
    if (random.chance(0.85)) touch(facts, rep, at, 'meeting', 'held');
    if (!random.chance(0.85)) return;
    at += Math.round(random.uniform(hour, 2 * day));
    const createdAt = toWorkingTime(at, random);
    const odds = winOdds(createdAt);
    const won = random.chance(odds / (1 + odds));

    const tier = person.company?.tier ?? 'small';
    let amount = Math.max(1000, roundTo(random.lognormal(dealAmountMedian[tier], dealAmountSigma), 500));
    const cycle = Math.max(7, random.lognormal(salesCycleMedianDays[tier], 0.5)) * day;
    let closedAt = createdAt + cycle * (won ? random.uniform(0.85, 1.15) : random.uniform(0.3, 1.4));
    const quarterEnd = nextQuarterStart(closedAt);
    if (won && quarterEnd - closedAt < 21 * day && random.chance(0.5)) {
      closedAt = quarterEnd - random.uniform(0.3, 4) * day; // the end-of-quarter push
    }
    closedAt = toWorkingTime(closedAt, random);

    deals += 1;
    const dealId = deals === 1 ? `sim:deal-${tag}` : `sim:deal-${tag}-${deals}`;
    const company = person.company;
    const account: AccountRecord | undefined = company
      ? {
          crmId: `sim:account-${seed}-${company.index}`,
          domain: company.domain,
          name: company.name,
          traits: companyTraits(company),
        }
      : undefined;
    const plan = tier === 'enterprise' ? 'Enterprise' : tier === 'mid-market' ? 'Growth' : 'Starter';
    let eventNumber = 0;
    const dealEvent = (
      eventAt: number,
      fields: Omit<DealEventRecord, 'ref' | 'dealId' | 'occurredAt' | 'source'>,
    ) => {
      facts.push({
        at: new Date(eventAt),
        contactIndex: index,
        kind: 'deal-event',
        record: {
          ref,
          dealId,
          ...fields,
          occurredAt: new Date(eventAt),
          externalId: `${dealId}:${eventNumber++}`,
          source: 'simulator',
        },
      });
    };
    dealEvent(createdAt, {
      kind: 'created',
      name: `${company?.name ?? `${person.firstName} ${person.lastName}`} - ${plan}`,
      ...(account ? { account } : {}),
      stage: dealStages[0],
      amount: String(amount),
      currency: context.currency,
      closeDate: isoDate(createdAt + cycle),
    });
    const reached = won ? dealStages.length : random.int(1, dealStages.length);
    const fractions = [0, 0.15, 0.45, 0.75];
    for (let stage = 1; stage < reached; stage += 1) {
      const stageAt = createdAt + (closedAt - createdAt) * (fractions[stage] ?? 0.5);
      dealEvent(stageAt, { kind: 'stage-changed', stage: dealStages[stage] });
      if (stage === dealStages.length - 1 && won && random.chance(0.25)) {
        amount = Math.max(1000, roundTo(amount * random.uniform(0.8, 0.95), 500));
        dealEvent(stageAt + hour, {
          kind: 'amount-changed',
          amount: String(amount),
          currency: context.currency,
        });
      }
    }
    if (won) {
      dealEvent(closedAt, {
        kind: 'won',
        stage: 'closed-won',
        amount: String(amount),
        currency: context.currency,
        closeDate: isoDate(closedAt),
      });
    } else {
      const reason = reasonFrom(model.reasons.lost, lostReason(random), random);
      dealEvent(closedAt, {
        kind: 'lost',
        stage: 'closed-lost',
        closeDate: isoDate(closedAt),
        ...(reason ? { reason } : {}),
      });
    }
  }
}

function lostReason(random: Random): string {
  return random.weighted([
    ['price', 30],
    ['competitor-won', 25],
    ['no-decision', 35],
    ['missing-feature', 10],
  ]);
}

/** The preferred reason when the agreement has it, otherwise any of its reasons (none: undefined). */
function reasonFrom(reasons: readonly string[], preferred: string, random: Random): string | undefined {
  if (reasons.includes(preferred)) return preferred;
  return reasons.length > 0 ? random.pick(reasons) : undefined;
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
