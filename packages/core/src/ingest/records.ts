import type { TouchKind } from '../agreement/agreement-schema.ts';
import type { FeedbackKind, TraitValue } from '../agreement/condition.ts';

/**
 * The facts that flow into Smarketing, in one neutral shape whatever their origin (the Segment
 * API, the sales API, a CRM export, the simulator). Importers and the simulator produce these;
 * the server's use cases store them. Times are instants (`Date`), calendar dates are
 * `YYYY-MM-DD` strings, money is a decimal string.
 */

/** A contact's or account's traits; null clears a trait. */
export type Traits = Record<string, TraitValue | null>;

/**
 * How a fact names its contact. At least one field is set; when several are, they all belong
 * to the same person (and may link identities that were separate so far).
 * `crmId` is `<system>:<id>`, e.g. `salesforce:00Q5e00000AbCdE` or `hubspot:51`.
 */
export type ContactRef = {
  contactId?: string;
  email?: string;
  userId?: string;
  anonymousId?: string;
  crmId?: string;
};

export type AccountRecord = {
  /** `<system>:<id>` when the source has an id. */
  crmId?: string;
  /** The company's web domain, lowercase, without `www.`. */
  domain?: string;
  name?: string;
  traits: Traits;
};

export type ContactRecord = {
  ref: ContactRef;
  /** firstName, lastName, title, phone, country, industry, employees, leadSource, … */
  traits: Traits;
  account?: AccountRecord;
  /** The owning rep's id, when the source says. */
  ownerRepId?: string;
  createdAt?: Date;
  /** Stage history from the source (e.g. HubSpot "Became a … date"), oldest first; stage ids of the agreement. */
  stageHistory?: { stage: string; at: Date }[];
  /** Where it came from: `api`, `hubspot`, `salesforce`, `csv`, `simulator`. */
  source: string;
};

export type TouchRecord = {
  ref: ContactRef;
  repId: string;
  kind: TouchKind;
  occurredAt: Date;
  outcome?: string;
  /** Idempotency key within the source. */
  externalId?: string;
  source: string;
};

export const dealEventKinds = ['created', 'stage-changed', 'amount-changed', 'won', 'lost'] as const;
export type DealEventKind = (typeof dealEventKinds)[number];

export type DealEventRecord = {
  ref: ContactRef;
  /** The deal's id in its source (`<system>:<id>`); events of one deal share it. */
  dealId: string;
  kind: DealEventKind;
  name?: string;
  account?: AccountRecord;
  stage?: string;
  amount?: string;
  currency?: string;
  closeDate?: string;
  reason?: string;
  occurredAt: Date;
  externalId?: string;
  source: string;
};

export type FeedbackRecord = {
  ref: ContactRef;
  repId: string;
  verdict: FeedbackKind;
  /** A reason id from the agreement's feedback lists. */
  reason?: string;
  rating?: 1 | 2 | 3 | 4 | 5;
  comment?: string;
  occurredAt: Date;
  externalId?: string;
  source: string;
};

/**
 * A Segment-spec message (identify, track, page, screen, group, alias) as JSON: what the
 * tracking API receives. Importers turn activity rows into `track` messages with a
 * deterministic `messageId`, so re-importing stores nothing twice.
 */
export type SegmentMessage = Record<string, unknown>;

/** What storing a batch of facts did, item by item where something went wrong. */
export type RecordOutcome = {
  created: number;
  /** Already stored (same idempotency key): nothing changed. */
  duplicates: number;
  rejected: { index: number; code: string; message: string }[];
};
