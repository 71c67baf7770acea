import {
  type Agreement,
  companyDomainOf,
  createActivityClassifier,
  domainOfWebsite,
  type IdentityPlanItem,
  type NormalizedMessage,
} from '@smarketing/core';
import { AppError } from '../app-error.ts';
import type { Database } from '../db/client.ts';
import { createUuidV7 } from '../ids.ts';
import type { Logger } from '../log.ts';
import { createRepositories, type Repositories } from '../repositories/index.ts';
import { resolveContacts } from './resolve-contacts.ts';

/**
 * Group commit for ingestion. Requests hand their normalised messages to the writer and wait;
 * the writer stores everything waiting in ONE transaction (de-duplicate by messageId, resolve
 * identities, match accounts, classify, insert), then answers every request. A request is
 * acknowledged only after that commit, so an acknowledged event is durable; a failed commit
 * fails every request in it (clients retry, and de-duplication makes the retry safe).
 * The queue is bounded: when it is full, new requests get UNAVAILABLE (503 + Retry-After).
 */
export type IngestDrop = {
  reason: string;
  detail: string;
  messageId: string | undefined;
  excerpt: string | undefined;
};

type IngestSubmission = {
  workspaceId: string;
  messages: NormalizedMessage[];
  drops: IngestDrop[];
};

/** Per message: stored, or a duplicate of one stored before (or earlier in the same submission). */
type IngestResult = { stored: boolean[] };

export type IngestWriter = {
  submit(submission: IngestSubmission): Promise<IngestResult>;
  /** Stops taking submissions and waits for the queued ones to be written. */
  close(): Promise<void>;
  stats(): {
    queuedMessages: number;
    batches: number;
    storedMessages: number;
    duplicateMessages: number;
    failedBatches: number;
    droppedByReason: Record<string, number>;
  };
};

type Pending = IngestSubmission & {
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
};

export type IngestWriterOptions = {
  /** Messages per transaction, at most; a larger backlog is written in several. */
  maxBatchMessages?: number;
  /** Messages waiting, at most, before submissions are refused. */
  maxQueuedMessages?: number;
};

export function createIngestWriter(
  deps: { database: Database; clock: () => Date; log: Logger },
  options: IngestWriterOptions = {},
): IngestWriter {
  const maxBatchMessages = options.maxBatchMessages ?? 5_000;
  const maxQueuedMessages = options.maxQueuedMessages ?? 100_000;
  const queue: Pending[] = [];
  let queuedMessages = 0;
  let running: Promise<void> | undefined;
  let closed = false;
  const counters = { batches: 0, storedMessages: 0, duplicateMessages: 0, failedBatches: 0 };
  const droppedByReason: Record<string, number> = {};
  const classifiers = new Map<
    string,
    { version: number; classify: ReturnType<typeof createActivityClassifier> }
  >();

  async function classifierFor(repos: Repositories, workspaceId: string) {
    const version = await repos.ingest.currentAgreementVersion(workspaceId);
    if (version === undefined) return () => undefined;
    const cached = classifiers.get(workspaceId);
    if (cached?.version === version) return cached.classify;
    const row = await repos.agreementVersions.find(workspaceId, version);
    const classify = createActivityClassifier(row?.parsed as Agreement);
    classifiers.set(workspaceId, { version, classify });
    return classify;
  }

  async function writeWorkspace(repos: Repositories, workspaceId: string, batch: Pending[], now: Date) {
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
      [...new Set(messages.map((message) => message.messageId))],
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
    const contactIds = await resolveContacts(repos, workspaceId, items, now);

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
    await repos.ingest.updateContacts(workspaceId, [...updates.values()]);

    // Accounts: an explicit group call wins; otherwise the company domain of the e-mail.
    const domainOfContact = new Map<string, string>();
    fresh.forEach((message, index) => {
      const domain =
        message.type === 'identify' && message.email ? companyDomainOf(message.email) : undefined;
      if (domain) domainOfContact.set(contactIds[index] as string, domain);
    });
    const domains = [...new Set(domainOfContact.values())];
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

    const classify = await classifierFor(repos, workspaceId);
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

    let offset = 0;
    for (const pending of batch) {
      const stored = storedFlags.slice(offset, offset + pending.messages.length);
      offset += pending.messages.length;
      pending.resolve({ stored });
    }
    return fresh.length;
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      // Let pending I/O run first: PGlite answers through microtasks alone, so without this turn
      // of the event loop no other request could finish arriving while the writer is busy, and
      // every transaction would carry one request.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch: Pending[] = [];
      let size = 0;
      while (
        queue.length > 0 &&
        (batch.length === 0 || size + (queue[0]?.messages.length ?? 0) <= maxBatchMessages)
      ) {
        const next = queue.shift() as Pending;
        size += next.messages.length;
        batch.push(next);
      }
      queuedMessages -= size;
      const byWorkspace = new Map<string, Pending[]>();
      for (const pending of batch) {
        const list = byWorkspace.get(pending.workspaceId) ?? [];
        list.push(pending);
        byWorkspace.set(pending.workspaceId, list);
      }
      try {
        const now = deps.clock();
        const stored = await deps.database.db.transaction(async (tx) => {
          const repos = createRepositories(tx);
          let total = 0;
          for (const [workspaceId, pendings] of byWorkspace)
            total += await writeWorkspace(repos, workspaceId, pendings, now);
          return total;
        });
        counters.batches++;
        counters.storedMessages += stored;
        counters.duplicateMessages += size - stored;
        for (const pending of batch) {
          for (const drop of pending.drops)
            droppedByReason[drop.reason] = (droppedByReason[drop.reason] ?? 0) + 1;
        }
      } catch (error) {
        counters.failedBatches++;
        deps.log.error({ err: error, messages: size }, 'ingest batch failed; nothing of it was stored');
        const failure = new AppError('UNAVAILABLE', {
          message: 'The events could not be stored right now; nothing was stored. Retry later.',
          details: { retryAfterSeconds: 5 },
          cause: error,
        });
        for (const pending of batch) pending.reject(failure);
      }
    }
  }

  function kick() {
    running ??= drain().finally(() => {
      running = undefined;
      if (queue.length > 0) kick();
    });
  }

  return {
    submit(submission) {
      if (closed) {
        return Promise.reject(
          new AppError('UNAVAILABLE', { message: 'The server is shutting down; retry shortly.' }),
        );
      }
      if (submission.messages.length === 0 && submission.drops.length === 0)
        return Promise.resolve({ stored: [] });
      if (queuedMessages + submission.messages.length > maxQueuedMessages) {
        return Promise.reject(
          new AppError('UNAVAILABLE', {
            message: 'The ingestion queue is full; retry shortly.',
            details: { retryAfterSeconds: 2, queuedMessages },
          }),
        );
      }
      queuedMessages += submission.messages.length;
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ ...submission, resolve, reject });
        kick();
      });
    },
    async close() {
      closed = true;
      while (running) await running;
    },
    stats() {
      return { queuedMessages, ...counters, droppedByReason: { ...droppedByReason } };
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
