import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  type ContactState,
  type EngineEffects,
  type EngineInput,
  type EngineWorld,
  emptyEffects,
} from '../engine/contact-engine.ts';
import { emptyRoutingState } from '../engine/routing/routing-state.ts';
import { createMemoryStateStore, processStep } from '../engine/workspace-engine.ts';
import { createActivityClassifier } from '../ingest/classify-activity.ts';
import { companyDomainOf, domainOfWebsite } from '../ingest/email-domain.ts';
import type { Traits } from '../ingest/records.ts';
import type { NormalizedMessage, SegmentType } from '../ingest/segment-message.ts';
import type { SimulatedFact } from './simulate.ts';

/**
 * The engine over simulated facts as the server folds a history it is given (a demo load,
 * `simulate --direct`, a replay without scheduler ticks): every fact in the order it happened,
 * through `processStep`, the server's own fold. A contact's timers (deadlines, escalations,
 * returns from a detour) fire when its next fact arrives, before that fact. Segment messages
 * become contact changes and activities the way ingestion stores them: identify sets the traits
 * and the e-mail (and the account of its company domain), group the account and its traits, and
 * every message is an activity classified by the agreement's classifier.
 */
export type SimulatedEngine = {
  /** Folds one fact in; facts come in time order. */
  apply(fact: SimulatedFact): EngineEffects;
  /**
   * What folding a sales fact would do, without doing it: the contact's state just after, and
   * the effects (a reassignment its overdue timers cause first, a move refused…). Undefined
   * while the engine does not know the contact.
   */
  preview(fact: SimulatedFact): { state: ContactState; effects: EngineEffects } | undefined;
  /** The engine's state of a simulated contact, once it has one. */
  stateOf(contactIndex: number): ContactState | undefined;
  /** The simulated contact of an engine contact id. */
  contactIndexOf(contactId: string): number;
};

type ContactRecord = { traits: Traits; email: string | null; accountId: string | null };

const epoch = new Date(0);

export function createSimulatedEngine(agreement: Agreement): SimulatedEngine {
  const owners = new Map<string, string>();
  const world: EngineWorld = {
    agreement,
    routing: emptyRoutingState(),
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => owners.set(accountId, repId),
  };
  const store = createMemoryStateStore(world);
  const classify = createActivityClassifier(agreement);
  const contacts = new Map<number, ContactRecord>();
  const accounts = new Map<string, Traits>();
  let seq = 0;

  const idOf = (index: number) => `sim-contact-${index}`;

  const inputsOf = (fact: SimulatedFact): EngineInput[] => {
    const at = fact.at.getTime();
    const contactId = idOf(fact.contactIndex);
    switch (fact.kind) {
      case 'touch':
        return [
          { kind: 'touch', seq: ++seq, at, contactId, repId: fact.record.repId, touchKind: fact.record.kind },
        ];
      case 'feedback':
        return [
          {
            kind: 'feedback',
            seq: ++seq,
            at,
            contactId,
            repId: fact.record.repId,
            verdict: fact.record.verdict,
            reason: fact.record.reason ?? null,
          },
        ];
      case 'deal-event':
        return [
          {
            kind: 'deal',
            seq: ++seq,
            at,
            contactId,
            event: fact.record.kind,
            reason: fact.record.reason ?? null,
          },
        ];
      case 'segment': {
        const message = fact.message;
        const type = String(message.type) as SegmentType;
        const inputs: EngineInput[] = [];
        const change = contactChange(fact.contactIndex, message);
        if (change !== undefined) {
          const accountTraits = change.accountId === null ? undefined : accounts.get(change.accountId);
          inputs.push({
            kind: 'contact',
            seq: ++seq,
            at,
            contactId,
            email: change.email,
            accountId: change.accountId,
            traits: change.traits,
            ...(accountTraits === undefined ? {} : { accountTraits }),
            mergedIntoId: null,
          });
        }
        const properties = (message.properties ?? {}) as Record<string, unknown>;
        const activityType = classify({
          type,
          messageId: String(message.messageId),
          userId: undefined,
          anonymousId: undefined,
          email: undefined,
          event: type === 'track' ? String(message.event) : undefined,
          path: type === 'page' && typeof properties.path === 'string' ? properties.path : undefined,
          groupId: undefined,
          previousId: undefined,
          properties,
          traits: {},
          context: {},
          occurredAt: epoch,
          receivedAt: epoch,
        } satisfies NormalizedMessage);
        inputs.push({ kind: 'activity', seq: ++seq, at, contactId, activityType: activityType ?? null });
        return inputs;
      }
    }
  };

  /** The contact's record after an identify or a group call; undefined when it does not change. */
  const contactChange = (index: number, message: Record<string, unknown>): ContactRecord | undefined => {
    const record = contacts.get(index) ?? { traits: {}, email: null, accountId: null };
    if (message.type === 'identify') {
      const traits = { ...record.traits, ...(message.traits as Traits) };
      const email = typeof traits.email === 'string' ? traits.email.toLowerCase() : record.email;
      const accountId = (email === null ? undefined : companyDomainOf(email)) ?? record.accountId;
      const next = { traits, email, accountId };
      contacts.set(index, next);
      return next;
    }
    if (message.type === 'group') {
      const traits = (message.traits ?? {}) as Traits;
      const website = traits.website ?? traits.domain;
      const accountId =
        (typeof website === 'string' ? domainOfWebsite(website) : undefined) ??
        `group:${String(message.groupId)}`;
      accounts.set(accountId, { ...accounts.get(accountId), ...traits });
      const next = { ...record, accountId };
      contacts.set(index, next);
      return next;
    }
    return undefined;
  };

  return {
    apply(fact) {
      const effects = emptyEffects();
      for (const input of inputsOf(fact)) processStep(world, store, input, effects);
      return effects;
    },
    preview(fact) {
      if (fact.kind === 'segment') throw new Error('only sales facts can be previewed');
      const contactId = idOf(fact.contactIndex);
      const state = store.get(contactId);
      if (state === undefined) return undefined;
      // The engine updates states in place: fold a copy, in a world of its own (routing state is
      // replaced, never mutated; account owners it changes are kept aside).
      const changedOwners = new Map<string, string>();
      const scratchWorld: EngineWorld = {
        ...world,
        accountOwner: (accountId) => changedOwners.get(accountId) ?? owners.get(accountId),
        ownerChanged: (accountId, repId) => changedOwners.set(accountId, repId),
      };
      const scratch = createMemoryStateStore(scratchWorld, [
        JSON.parse(JSON.stringify(state)) as ContactState,
      ]);
      const effects = emptyEffects();
      for (const input of inputsOf(fact)) processStep(scratchWorld, scratch, input, effects);
      return { state: scratch.get(contactId) as ContactState, effects };
    },
    stateOf: (index) => store.get(idOf(index)),
    contactIndexOf: (contactId) => Number(contactId.slice('sim-contact-'.length)),
  };
}
