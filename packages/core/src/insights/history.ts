import type { TraitValue } from '../agreement/condition.ts';
import type { EngineStep } from '../engine/workspace-engine.ts';

/**
 * The closed-loop history of one lead, as the insights read it: when it entered the funnel, who
 * it is, where it came from, what it did (classified activities, in time order) and when it
 * became a customer. Built from the engine's facts (`collectHistories`), so the server, the
 * simulator and an import converter all feed the same analysis.
 */
export type LeadHistory = {
  contactId: string;
  /** Its first timed fact (epoch ms): when it entered the funnel. */
  startAt: number;
  /** Its latest traits, the account's merged under its own (facts carry no time for trait changes). */
  traits: Record<string, TraitValue | null>;
  email: string | null;
  /** The UTM source and campaign of its first visit, when known. */
  source?: string;
  campaign?: string;
  /** Activity times (epoch ms, ascending) and their agreement activity ids, index for index. */
  times: number[];
  types: string[];
  /** Its first won deal (epoch ms). */
  wonAt?: number;
};

type Draft = LeadHistory & { sorted: boolean };

export type HistoryCollector = {
  /** Reads one fact of the engine's order; ticks and stage moves are skipped. */
  add(step: EngineStep): void;
  /** Where a contact came from (the first campaign it was seen with). */
  setOrigin(contactId: string, origin: { source?: string; campaign?: string }): void;
  /** Every lead that entered the funnel, activities sorted by time. */
  finish(): LeadHistory[];
};

/**
 * Folds the engine's facts into one history per lead. Facts keyed by a contact that was merged
 * into another follow it to the survivor. Contacts that never had a timed fact (no activity,
 * touch, deal…) never entered the funnel and are left out.
 */
export function createHistoryCollector(): HistoryCollector {
  const leads = new Map<string, Draft>();
  const mergedInto = new Map<string, string>();
  const lead = (contactId: string): Draft => {
    let id = contactId;
    for (let hops = 0; hops < 16; hops++) {
      const next = mergedInto.get(id);
      if (next === undefined) break;
      id = next;
    }
    let draft = leads.get(id);
    if (draft === undefined) {
      draft = {
        contactId: id,
        startAt: Number.POSITIVE_INFINITY,
        traits: {},
        email: null,
        times: [],
        types: [],
        sorted: true,
      };
      leads.set(id, draft);
    }
    return draft;
  };
  const started = (draft: Draft, at: number) => {
    if (at < draft.startAt) draft.startAt = at;
  };
  return {
    add(step) {
      switch (step.kind) {
        case 'tick':
        case 'stage':
          return;
        case 'contact': {
          const draft = lead(step.contactId);
          draft.traits = { ...step.accountTraits, ...step.traits };
          draft.email = step.email;
          if (step.mergedIntoId !== null && step.mergedIntoId !== step.contactId) {
            mergedInto.set(step.contactId, step.mergedIntoId);
            const survivor = lead(step.mergedIntoId);
            for (let i = 0; i < draft.times.length; i++) {
              survivor.times.push(draft.times[i] as number);
              survivor.types.push(draft.types[i] as string);
            }
            survivor.sorted = false;
            if (draft.wonAt !== undefined)
              survivor.wonAt = Math.min(survivor.wonAt ?? draft.wonAt, draft.wonAt);
            started(survivor, draft.startAt);
            survivor.source ??= draft.source;
            survivor.campaign ??= draft.campaign;
            leads.delete(draft.contactId);
          }
          return;
        }
        case 'activity': {
          const draft = lead(step.contactId);
          started(draft, step.at);
          if (step.activityType === null) return;
          const last = draft.times.at(-1);
          if (last !== undefined && step.at < last) draft.sorted = false;
          draft.times.push(step.at);
          draft.types.push(step.activityType);
          return;
        }
        case 'deal': {
          const draft = lead(step.contactId);
          started(draft, step.at);
          if (step.event === 'won') draft.wonAt = Math.min(draft.wonAt ?? step.at, step.at);
          return;
        }
        default: {
          started(lead(step.contactId), step.at);
        }
      }
    },
    setOrigin(contactId, origin) {
      const draft = lead(contactId);
      if (origin.source !== undefined) draft.source = origin.source;
      if (origin.campaign !== undefined) draft.campaign = origin.campaign;
    },
    finish() {
      const histories: LeadHistory[] = [];
      for (const draft of leads.values()) {
        if (!Number.isFinite(draft.startAt)) continue;
        const { sorted, ...history } = draft;
        if (!sorted) {
          const order = history.times
            .map((_, index) => index)
            .sort((a, b) => {
              return (history.times[a] as number) - (history.times[b] as number) || a - b;
            });
          history.times = order.map((index) => history.times[index] as number);
          history.types = order.map((index) => history.types[index] as string);
        }
        histories.push(history);
      }
      return histories;
    },
  };
}
