import type { Agreement } from '../agreement/agreement-schema.ts';
import type { EngineStep } from '../engine/workspace-engine.ts';
import { createActivityClassifier } from '../ingest/classify-activity.ts';
import { companyDomainOf, domainOfWebsite } from '../ingest/email-domain.ts';
import type { Traits } from '../ingest/records.ts';
import type { NormalizedMessage, SegmentType } from '../ingest/segment-message.ts';
import type { SimulatedFact } from '../simulator/simulate.ts';

const epoch = new Date(0);

/**
 * The engine's facts of a simulation, as the server would store and read them (identify and
 * group calls become contact changes, every message an activity classified by the agreement,
 * sales facts as they are), and each contact's first campaign (UTM source and name), which the
 * server reads from the stored activities' context.
 */
export function simulatedSteps(
  agreement: Agreement,
  facts: Iterable<SimulatedFact>,
): { steps: EngineStep[]; origins: Map<string, { source?: string; campaign?: string }> } {
  const classify = createActivityClassifier(agreement);
  const contacts = new Map<number, { traits: Traits; email: string | null; accountId: string | null }>();
  const accounts = new Map<string, Traits>();
  const origins = new Map<string, { source?: string; campaign?: string }>();
  const steps: EngineStep[] = [];
  let seq = 0;
  for (const fact of facts) {
    const at = fact.at.getTime();
    const contactId = `sim-contact-${fact.contactIndex}`;
    if (fact.kind === 'touch') {
      steps.push({
        kind: 'touch',
        seq: ++seq,
        at,
        contactId,
        repId: fact.record.repId,
        touchKind: fact.record.kind,
      });
      continue;
    }
    if (fact.kind === 'feedback') {
      steps.push({
        kind: 'feedback',
        seq: ++seq,
        at,
        contactId,
        repId: fact.record.repId,
        verdict: fact.record.verdict,
        reason: fact.record.reason ?? null,
      });
      continue;
    }
    if (fact.kind === 'deal-event') {
      steps.push({
        kind: 'deal',
        seq: ++seq,
        at,
        contactId,
        event: fact.record.kind,
        reason: fact.record.reason ?? null,
      });
      continue;
    }
    const message = fact.message;
    const type = String(message.type) as SegmentType;
    const record = contacts.get(fact.contactIndex) ?? { traits: {}, email: null, accountId: null };
    let changed = false;
    if (type === 'identify') {
      const traits = { ...record.traits, ...(message.traits as Traits) };
      const email = typeof traits.email === 'string' ? traits.email.toLowerCase() : record.email;
      const accountId = (email === null ? undefined : companyDomainOf(email)) ?? record.accountId;
      contacts.set(fact.contactIndex, { traits, email, accountId });
      changed = true;
    } else if (type === 'group') {
      const traits = (message.traits ?? {}) as Traits;
      const website = traits.website ?? traits.domain;
      const accountId =
        (typeof website === 'string' ? domainOfWebsite(website) : undefined) ??
        `group:${String(message.groupId)}`;
      accounts.set(accountId, { ...accounts.get(accountId), ...traits });
      contacts.set(fact.contactIndex, { ...record, accountId });
      changed = true;
    }
    if (changed) {
      const next = contacts.get(fact.contactIndex) as typeof record;
      const accountTraits = next.accountId === null ? undefined : accounts.get(next.accountId);
      steps.push({
        kind: 'contact',
        seq: ++seq,
        at,
        contactId,
        email: next.email,
        accountId: next.accountId,
        traits: next.traits,
        ...(accountTraits === undefined ? {} : { accountTraits }),
        mergedIntoId: null,
      });
    }
    const context = (message.context ?? {}) as Record<string, unknown>;
    const campaign = context.campaign as Record<string, unknown> | undefined;
    if (campaign !== undefined && !origins.has(contactId)) {
      origins.set(contactId, {
        ...(typeof campaign.source === 'string' ? { source: campaign.source } : {}),
        ...(typeof campaign.name === 'string' ? { campaign: campaign.name } : {}),
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
    steps.push({ kind: 'activity', seq: ++seq, at, contactId, activityType: activityType ?? null });
  }
  return { steps, origins };
}
