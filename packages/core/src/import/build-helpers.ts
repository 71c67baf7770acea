import type { AccountRecord, ContactRecord, ContactRef, DealEventRecord, Traits } from '../ingest/records.ts';
import { emptyRecords, type MappedRecords, type RowReader } from './layout-types.ts';
import { inferTraitValue, parseDomain, parseEmployees } from './values.ts';

/** The identity fields every kind shares: how a row names its contact. */
const identityFields = ['crmId', 'email', 'userId', 'anonymousId'] as const;

/**
 * The contact a row names. `crmId` becomes `<source>:<id>`. A row naming nobody is a
 * `missing-identity` error (unless an invalid e-mail was already reported).
 */
export function readContactRef(row: RowReader, source: string): ContactRef | undefined {
  const ref: ContactRef = {};
  const crmId = row.text('crmId');
  if (crmId) ref.crmId = `${source}:${crmId}`;
  const email = row.email('email');
  if (email) ref.email = email;
  const userId = row.text('userId');
  if (userId) ref.userId = userId;
  const anonymousId = row.text('anonymousId');
  if (anonymousId) ref.anonymousId = anonymousId;
  if (Object.keys(ref).length > 0) return ref;
  if (!row.failed()) {
    const columns = identityFields.map((field) => row.header(field)).filter((header) => header !== undefined);
    row.fail(
      'missing-identity',
      `names no contact: ${columns.join(', ')} ${columns.length > 1 ? 'are' : 'is'} blank`,
    );
  }
  return undefined;
}

/** Contact traits read as text, under the same name. */
const textTraitFields = [
  'firstName',
  'lastName',
  'title',
  'phone',
  'company',
  'industry',
  'country',
  'state',
  'city',
  'leadSource',
  'leadSourceDetail',
  'leadStatus',
  'lifecycleStage',
] as const;

/** The usual contact traits: names, job, company, size, place, source; plus `traits.<name>` columns. */
export function readContactTraits(row: RowReader): Traits {
  const traits: Traits = {};
  for (const field of textTraitFields) {
    const value = row.text(field);
    if (value !== undefined) traits[field] = value;
  }
  const employeesText = row.text('employees');
  if (employeesText !== undefined) {
    const parsed = parseEmployees(employeesText);
    if (parsed === undefined) {
      row.fail('invalid-number', `"${employeesText}" is not a number of employees`, 'employees');
    } else {
      traits.employees = parsed.employees;
      if (parsed.range) traits.employeesRange = parsed.range;
    }
  }
  const revenue = row.number('annualRevenue');
  if (revenue !== undefined) traits.annualRevenue = revenue;
  const website = row.text('website');
  if (website !== undefined) traits.website = website;
  Object.assign(traits, readPrefixedTraits(row));
  return traits;
}

/** `traits.<name>` columns: numbers and true/false are typed, the rest is text. */
function readPrefixedTraits(row: RowReader): Traits {
  const traits: Traits = {};
  for (const [name, text] of row.prefixed('traits.')) traits[name] = inferTraitValue(text);
  return traits;
}

/** The contact's company, when the row names one (by name, website or CRM account id). */
export function readAccount(row: RowReader, source: string): AccountRecord | undefined {
  const account: AccountRecord = { traits: {} };
  const accountId = row.text('accountId');
  if (accountId) account.crmId = `${source}:${accountId}`;
  const name = row.text('company');
  if (name) account.name = name;
  const website = row.text('website');
  const domain = website ? parseDomain(website) : undefined;
  if (domain) account.domain = domain;
  return account.crmId || account.name || account.domain ? account : undefined;
}

/**
 * The date a stage history is known to have reached: its latest entry, or `createdAt` when that
 * is later (or the history is empty). Dates a current stage the row gives without its date.
 */
export function latestStageDate(
  history: readonly { stage: string; at: Date }[],
  createdAt: Date | undefined,
): Date | undefined {
  return history.reduce<Date | undefined>(
    (max, entry) => (!max || entry.at > max ? entry.at : max),
    createdAt,
  );
}

/**
 * Oldest first, one entry per stage (its first date). Entries at the same instant keep the order
 * they were given in, which callers make the funnel's order (lead before sql before opportunity).
 */
function sortStageHistory(entries: { stage: string; at: Date }[]): { stage: string; at: Date }[] {
  const first = new Map<string, Date>();
  for (const entry of entries) {
    const known = first.get(entry.stage);
    if (!known || entry.at < known) first.set(entry.stage, entry.at);
  }
  return [...first].map(([stage, at]) => ({ stage, at })).sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The row's one contact, owned by the rep of its `owner` column; its stage history is ordered
 * (see `sortStageHistory`) and left out when empty.
 */
export function contactRecords(
  row: RowReader,
  contact: {
    ref: ContactRef;
    traits: Traits;
    source: string;
    account: AccountRecord | undefined;
    createdAt: Date | undefined;
    stageHistory: { stage: string; at: Date }[];
  },
): MappedRecords {
  const record: ContactRecord = { ref: contact.ref, traits: contact.traits, source: contact.source };
  const owner = row.text('owner');
  if (contact.account) record.account = contact.account;
  if (owner) record.ownerRepId = owner;
  if (contact.createdAt) record.createdAt = contact.createdAt;
  if (contact.stageHistory.length > 0) record.stageHistory = sortStageHistory(contact.stageHistory);
  return { ...emptyRecords(), contacts: [record] };
}

/** A deal's amount (`amount`) and its currency: the `currency` column, else the amount's, upper-cased. */
export function readDealMoney(row: RowReader): { amount: string | undefined; currency: string | undefined } {
  const money = row.money('amount');
  const currency = row.text('currency') ?? money?.currency;
  return { amount: money?.amount, currency: currency?.toUpperCase() };
}

export type DealSnapshot = {
  /** `<source>:<id>`. */
  dealId: string;
  ref: ContactRef;
  source: string;
  createdAt: Date;
  outcome: 'open' | 'won' | 'lost';
  name?: string;
  /** The deal's stage in its CRM (not a funnel stage). */
  stage?: string;
  amount?: string;
  currency?: string;
  /** Expected (open) or actual (closed) close date, `YYYY-MM-DD`. */
  closeDate?: string;
  /** When it was won or lost; defaults to the close date. */
  closedAt?: Date;
  /** When an open deal entered its current stage, when the export says. */
  stageChangedAt?: Date;
  reason?: string;
  account?: AccountRecord;
};

/**
 * A CRM export holds each deal's current state; these are the events that state implies:
 * `created` (with the current stage if still open), `stage-changed` when the export dates the
 * current stage, and `won` or `lost` at the close. External ids are `<dealId>:created`,
 * `<dealId>:stage:<stage>`, `<dealId>:won`, `<dealId>:lost`: a later export of the same deal adds
 * only what is new. Answers them as the row's records.
 */
export function snapshotDealEvents(deal: DealSnapshot): MappedRecords {
  const base = {
    ref: deal.ref,
    dealId: deal.dealId,
    source: deal.source,
    ...(deal.name !== undefined && { name: deal.name }),
    ...(deal.account !== undefined && { account: deal.account }),
  };
  const money = {
    ...(deal.amount !== undefined && { amount: deal.amount }),
    ...(deal.currency !== undefined && { currency: deal.currency }),
    ...(deal.closeDate !== undefined && { closeDate: deal.closeDate }),
  };
  const open = deal.outcome === 'open';
  const events: DealEventRecord[] = [
    {
      ...base,
      kind: 'created',
      ...(open && deal.stage !== undefined && { stage: deal.stage }),
      ...money,
      occurredAt: deal.createdAt,
      externalId: `${deal.dealId}:created`,
    },
  ];
  if (open && deal.stage !== undefined && deal.stageChangedAt !== undefined) {
    events.push({
      ...base,
      kind: 'stage-changed',
      stage: deal.stage,
      occurredAt: deal.stageChangedAt,
      externalId: `${deal.dealId}:stage:${deal.stage}`,
    });
  }
  if (deal.outcome !== 'open') {
    const closedAt =
      deal.closedAt ?? (deal.closeDate ? new Date(`${deal.closeDate}T00:00:00Z`) : deal.createdAt);
    events.push({
      ...base,
      kind: deal.outcome,
      ...(deal.stage !== undefined && { stage: deal.stage }),
      ...money,
      ...(deal.outcome === 'lost' && deal.reason !== undefined && { reason: deal.reason }),
      occurredAt: closedAt,
      externalId: `${deal.dealId}:${deal.outcome}`,
    });
  }
  return { ...emptyRecords(), dealEvents: events };
}
