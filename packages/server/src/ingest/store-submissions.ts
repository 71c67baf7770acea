import {
  type Agreement,
  companyDomainOf,
  createActivityClassifier,
  domainOfWebsite,
  type IdentityPlanItem,
  type NormalizedMessage,
} from '@smarketing/core';
import { createUuidV7 } from '../ids.ts';
import type { Repositories } from '../repositories/index.ts';
import type { IdentityCacheTransaction } from './identity-cache.ts';
import { resolveContacts } from './resolve-contacts.ts';

export type IngestDrop = {
  reason: string;
  detail: string;
  messageId: string | undefined;
  excerpt: string | undefined;
};

/** What one request handed over: its normalised messages and what the pipeline dropped. */
export type StoredSubmission = { workspaceId: string; messages: NormalizedMessage[]; drops: IngestDrop[] };

/**
 * The ingestion write path inside one transaction the caller holds: de-duplicate by messageId,
 * resolve identities, update traits, match accounts, classify, insert. Answers, per submission
 * and message, whether it was stored now (false: a duplicate). Keeps a classifier per workspace
 * and agreement version.
 */
export function createSubmissionStore() {
  const classifiers = new Map<
    string,
    { version: number; classify: ReturnType<typeof createActivityClassifier> }
  >();

  async function classifierFor(repos: Repositories, workspaceId: string, version: number | undefined) {
    if (version === undefined) return () => undefined;
    const cached = classifiers.get(workspaceId);
    if (cached?.version === version) return cached.classify;
    const row = await repos.agreementVersions.find(workspaceId, version);
    const classify = createActivityClassifier(row?.parsed as Agreement);
    classifiers.set(workspaceId, { version, classify });
    return classify;
  }

  async function storeWorkspace(
    repos: Repositories,
    workspaceId: string,
    batch: StoredSubmission[],
    now: Date,
    identityCache: IdentityCacheTransaction | undefined,
  ): Promise<{ flags: boolean[][]; stored: number }> {
    // Everything below runs under the workspace's ingest lock, so the `seq` of every row written
    // here is taken while holding it: the engine's horizon (which takes the same lock) then never
    // passes a number a transaction still in flight holds.
    const { agreementVersion } = await repos.ingest.lockForIngest(workspaceId);
    const iso = now.toISOString();
    const drops = batch.flatMap((pending) => pending.drops);
    await repos.ingest.insertDrops(
      workspaceId,
      drops.map((drop) => ({
        id: createUuidV7(now),
        reason: drop.reason,
        detail: drop.detail,
        messageId: drop.messageId ?? null,
        excerpt: drop.excerpt ?? null,
        receivedAt: iso,
      })),
    );

    const messages = batch.flatMap((pending) => pending.messages);
    const claimed = await repos.ingest.claimMessageIds(
      workspaceId,
      // Sorted: concurrent writers then take the same unique-key locks in the same order.
      [...new Set(messages.map((message) => message.messageId))].sort(),
      iso,
    );
    // The first occurrence of a claimed id is stored; every other copy is a duplicate.
    const fresh: NormalizedMessage[] = [];
    const storedFlags = messages.map((message) => {
      if (!claimed.delete(message.messageId)) return false;
      fresh.push(message);
      return true;
    });

    const items: IdentityPlanItem[] = fresh.map((message) => identityItem(message));
    const contactIds = await resolveContacts(repos, workspaceId, items, now, {
      cache: identityCache,
      locked: true,
    });

    // Traits and e-mails from identify calls (and e-mails seen anywhere), one update per contact.
    const updates = new Map<
      string,
      { id: string; email: string | null; traits: Record<string, unknown>; at: string }
    >();
    fresh.forEach((message, index) => {
      const contactId = contactIds[index] as string;
      if (message.type !== 'identify') return;
      if (Object.keys(message.traits).length === 0 && !message.email) return;
      const update = updates.get(contactId) ?? { id: contactId, email: null, traits: {}, at: iso };
      Object.assign(update.traits, message.traits);
      update.email ??= message.email ?? null;
      updates.set(contactId, update);
    });
    await repos.ingest.updateContacts(
      workspaceId,
      [...updates.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    // Accounts: an explicit group call wins; otherwise the company domain of the e-mail.
    const domainOfContact = new Map<string, string>();
    fresh.forEach((message, index) => {
      const domain =
        message.type === 'identify' && message.email ? companyDomainOf(message.email) : undefined;
      if (domain) domainOfContact.set(contactIds[index] as string, domain);
    });
    const domains = [...new Set(domainOfContact.values())].sort();
    const accountOfDomain = await repos.ingest.ensureAccountsByDomain(
      workspaceId,
      domains,
      domains.map(() => createUuidV7(now)),
      iso,
    );
    await repos.ingest.assignAccounts(
      workspaceId,
      [...domainOfContact].flatMap(([contactId, domain]) => {
        const accountId = accountOfDomain.get(domain);
        return accountId ? [{ contactId, accountId }] : [];
      }),
      true,
    );
    for (const [index, message] of fresh.entries()) {
      if (message.type !== 'group' || !message.groupId) continue;
      const website = message.traits.website ?? message.traits.domain;
      const name = message.traits.name;
      const accountId = await repos.ingest.upsertAccount(workspaceId, {
        externalId: `segment:${message.groupId}`,
        domain: typeof website === 'string' ? (domainOfWebsite(website) ?? null) : null,
        name: typeof name === 'string' && name.trim() ? name.trim() : null,
        traits: message.traits,
        newId: createUuidV7(now),
        at: iso,
      });
      await repos.ingest.assignAccounts(
        workspaceId,
        [{ contactId: contactIds[index] as string, accountId }],
        false,
      );
    }

    const classify = await classifierFor(repos, workspaceId, agreementVersion);
    await repos.ingest.insertActivities(
      workspaceId,
      fresh.map((message, index) => ({
        contactId: contactIds[index] as string,
        id: createUuidV7(message.occurredAt),
        messageId: message.messageId,
        kind: message.type,
        event: message.event ?? null,
        activityType: classify(message) ?? null,
        occurredAt: message.occurredAt.toISOString(),
        receivedAt: message.receivedAt.toISOString(),
        properties:
          message.type === 'identify' || message.type === 'group' ? message.traits : message.properties,
        context: message.path ? { ...message.context, smarketing: { path: message.path } } : message.context,
      })),
    );

    const flags: boolean[][] = [];
    let offset = 0;
    for (const submission of batch) {
      flags.push(storedFlags.slice(offset, offset + submission.messages.length));
      offset += submission.messages.length;
    }
    return { flags, stored: fresh.length };
  }

  return {
    async store(
      repos: Repositories,
      submissions: StoredSubmission[],
      now: Date,
      identityCache?: IdentityCacheTransaction,
    ) {
      const byWorkspace = new Map<string, number[]>();
      submissions.forEach((submission, index) => {
        const list = byWorkspace.get(submission.workspaceId) ?? [];
        list.push(index);
        byWorkspace.set(submission.workspaceId, list);
      });
      const flags: boolean[][] = submissions.map(() => []);
      let stored = 0;
      for (const [workspaceId, indexes] of byWorkspace) {
        const result = await storeWorkspace(
          repos,
          workspaceId,
          indexes.map((index) => submissions[index] as StoredSubmission),
          now,
          identityCache,
        );
        indexes.forEach((index, position) => {
          flags[index] = result.flags[position] ?? [];
        });
        stored += result.stored;
      }
      return { flags, stored };
    },
  };
}

function identityItem(message: NormalizedMessage): IdentityPlanItem {
  const identities: IdentityPlanItem['identities'] = [];
  if (message.userId) identities.push({ kind: 'user_id', value: message.userId });
  if (message.anonymousId) identities.push({ kind: 'anonymous_id', value: message.anonymousId });
  if (message.email && message.type === 'identify') identities.push({ kind: 'email', value: message.email });
  if (message.type === 'alias' && message.previousId) {
    // The previous id is usually the anonymous id of the same person's earlier visits.
    identities.push({ kind: 'anonymous_id', value: message.previousId });
    return { identities, lookupOnly: [{ kind: 'user_id', value: message.previousId }] };
  }
  return { identities };
}
