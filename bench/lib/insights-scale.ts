import {
  type Agreement,
  createMemoryStateStore,
  type EngineStep,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  processStep,
  type Traits,
} from '../../packages/core/src/index.ts';

/**
 * A synthetic closed-loop history of any size for the insights benchmark: `contacts` leads
 * arriving evenly over `days`, each doing about `activitiesPerContact` of the default agreement's
 * activities in the 60 days after it arrives, and winning with odds that demo requests and
 * pricing views raise (so the model has something to learn). Held in typed arrays (about 13 bytes
 * a fact) and replayed as engine steps, in time order, as often as asked.
 */

const dayMs = 86_400_000;
const unitMs = 10_000; // times are kept in 10-second units so a fact sorts as one number
const kinds = [
  'page-viewed',
  'pricing-viewed',
  'demo-requested',
  'webinar-registered',
  'webinar-attended',
  'content-downloaded',
  'form-submitted',
  'email-clicked',
  'careers-viewed',
  'unsubscribed',
] as const;
const weights = [50, 8, 2, 6, 3, 8, 6, 14, 2, 1];
const contactKind = 12;
const dealCreated = 10;
const dealWon = 11;
const industries = [
  'Software',
  'Financial Services',
  'E-commerce',
  'Healthcare',
  'Education',
  'Manufacturing',
];
const titles = [
  'VP Marketing',
  'Director of Sales',
  'Marketing Manager',
  'Software Engineer',
  'CEO',
  'Student',
];

function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

export type SyntheticHistory = {
  contacts: number;
  facts: number;
  activities: number;
  startMs: number;
  endMs: number;
  steps(): Iterable<EngineStep>;
};

export function createSyntheticHistory(options: {
  contacts: number;
  activitiesPerContact: number;
  days: number;
  startMs: number;
  seed?: number;
}): SyntheticHistory {
  const next = random(options.seed ?? 42);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const pick = () => {
    let r = next() * total;
    for (let k = 0; k < weights.length; k++) {
      r -= weights[k] as number;
      if (r < 0) return k;
    }
    return 0;
  };
  const keys: number[] = [];
  const startUnit = Math.floor(options.startMs / unitMs);
  let activities = 0;
  for (let contact = 0; contact < options.contacts; contact++) {
    const arrive = Math.floor((contact / options.contacts) * options.days * (dayMs / unitMs));
    keys.push((arrive * 2 ** 24 + contact) * 16 + contactKind);
    const count = 1 + Math.floor(next() * (2 * options.activitiesPerContact - 1));
    let logit = -4;
    for (let a = 0; a < count; a++) {
      const kind = a === 0 ? 0 : pick();
      const at = arrive + (a === 0 ? 0 : Math.floor(next() * 60 * (dayMs / unitMs)));
      keys.push((at * 2 ** 24 + contact) * 16 + kind);
      if (kind === 2) logit += 0.7;
      if (kind === 1) logit += 0.4;
      activities++;
    }
    if (next() < 1 / (1 + Math.exp(-logit))) {
      const won = arrive + Math.floor((61 + next() * 60) * (dayMs / unitMs));
      keys.push((won * 2 ** 24 + contact) * 16 + dealCreated);
      keys.push((won * 2 ** 24 + contact) * 16 + dealWon);
    }
  }
  const sorted = Float64Array.from(keys).sort();
  keys.length = 0;
  const lastUnit = Math.floor((sorted[sorted.length - 1] ?? 0) / 16 / 2 ** 24);
  return {
    contacts: options.contacts,
    facts: sorted.length,
    activities,
    startMs: options.startMs,
    endMs: (startUnit + lastUnit) * unitMs,
    *steps() {
      for (let i = 0; i < sorted.length; i++) {
        const key = sorted[i] as number;
        const kind = key % 16;
        const rest = (key - kind) / 16;
        const contact = rest % 2 ** 24;
        const at = (startUnit + (rest - contact) / 2 ** 24) * unitMs;
        const contactId = `c${contact}`;
        const seq = i + 1;
        if (kind === contactKind) {
          const traits: Traits = {
            employees: 10 + ((contact * 7919) % 3000),
            industry: industries[contact % industries.length] as string,
            title: titles[(contact * 31) % titles.length] as string,
          };
          yield {
            kind: 'contact',
            seq,
            at,
            contactId,
            email: null,
            accountId: null,
            traits,
            mergedIntoId: null,
          };
        } else if (kind === dealCreated || kind === dealWon) {
          yield {
            kind: 'deal',
            seq,
            at,
            contactId,
            event: kind === dealWon ? 'won' : 'created',
            reason: null,
          };
        } else {
          yield { kind: 'activity', seq, at, contactId, activityType: kinds[kind] as string };
        }
      }
    },
  };
}

/** One engine fold of the steps under an agreement, in memory: the replay a backtest runs twice. */
export function replayOnce(agreement: Agreement, steps: Iterable<EngineStep>): number {
  const owners = new Map<string, string>();
  const world: EngineWorld = {
    agreement,
    routing: emptyRoutingState(),
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => owners.set(accountId, repId),
  };
  const store = createMemoryStateStore(world);
  let effects = emptyEffects();
  let count = 0;
  for (const step of steps) {
    processStep(world, store, step, effects);
    count++;
    if ((count & 1023) === 0) effects = emptyEffects();
  }
  return store.size();
}

/** One bare pass over the same rows: decode every step and touch its fields (no engine). */
export function passOnce(steps: Iterable<EngineStep>): number {
  let checksum = 0;
  for (const step of steps)
    checksum = (checksum + step.seq + (step.kind === 'tick' ? 0 : step.contactId.length)) % 1_000_003;
  return checksum;
}
