import { AppError } from '../app-error.ts';
import type { Database } from '../db/client.ts';
import { sqlStateOf } from '../db/errors.ts';
import type { Logger } from '../log.ts';
import { createRepositories } from '../repositories/index.ts';
import { createIdentityCache } from './identity-cache.ts';
import { createSubmissionStore, type StoredSubmission } from './store-submissions.ts';

/**
 * Group commit for ingestion. Requests hand their normalised messages to the writer and wait;
 * the writer stores everything waiting in ONE transaction (de-duplicate by messageId, resolve
 * identities, match accounts, classify, insert), then answers every request. A request is
 * acknowledged only after that commit, so an acknowledged event is durable; a failed commit
 * fails every request in it (clients retry, and de-duplication makes the retry safe).
 * The queue is bounded: when it is full, new requests get UNAVAILABLE (503 + Retry-After).
 */
type IngestSubmission = StoredSubmission;

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
  /**
   * Transactions in flight at once (default 1: a second one on PostgreSQL measured no faster in
   * bench/ingest, and PGlite has one connection).
   */
  concurrency?: number;
};

export function createIngestWriter(
  deps: { database: Database; clock: () => Date; log: Logger },
  options: IngestWriterOptions = {},
): IngestWriter {
  const maxBatchMessages = options.maxBatchMessages ?? 5_000;
  const maxQueuedMessages = options.maxQueuedMessages ?? 100_000;
  const queue: Pending[] = [];
  let queuedMessages = 0;
  const running = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 1;
  let closed = false;
  const counters = { batches: 0, storedMessages: 0, duplicateMessages: 0, failedBatches: 0 };
  const droppedByReason: Record<string, number> = {};
  const identityCache = createIdentityCache();
  const store = createSubmissionStore();
  const statistics = statisticsRefresher(deps.database);

  /** One batch in one transaction; a deadlock or serialization failure between writers is retried. */
  async function storeBatch(batch: Pending[], now: Date) {
    for (let attempt = 1; ; attempt++) {
      const learnt = identityCache.transaction();
      try {
        const result = await deps.database.db.transaction((tx) =>
          store.store(createRepositories(tx), batch, now, learnt),
        );
        learnt.commit(deps.clock().getTime());
        return result;
      } catch (error) {
        learnt.discard();
        const state = sqlStateOf(error);
        if (attempt >= 3 || (state !== '40P01' && state !== '40001')) throw error;
      }
    }
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
      try {
        const now = deps.clock();
        const { flags, stored } = await storeBatch(batch, now);
        for (const [index, pending] of batch.entries()) pending.resolve({ stored: flags[index] ?? [] });
        counters.batches++;
        counters.storedMessages += stored;
        const storedByWorkspace = new Map<string, number>();
        for (const [index, pending] of batch.entries()) {
          const count = (flags[index] ?? []).filter(Boolean).length;
          storedByWorkspace.set(
            pending.workspaceId,
            (storedByWorkspace.get(pending.workspaceId) ?? 0) + count,
          );
        }
        await statistics.afterStored(storedByWorkspace, deps.log);
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
    while (running.size < concurrency && queue.length > running.size) {
      const runner: Promise<void> = drain().finally(() => {
        running.delete(runner);
        if (queue.length > 0) kick();
      });
      running.add(runner);
    }
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
      while (running.size > 0) await Promise.all(running);
      await statistics.settled();
    },
    stats() {
      return { queuedMessages, ...counters, droppedByReason: { ...droppedByReason } };
    },
  };
}

/**
 * Keeps the planner's statistics of the ingestion tables in step with each workspace's growth.
 * Stale ones are ruinous here: the tables are shared by workspaces, and while the statistics
 * predate a workspace's rows the planner takes its rows for one and picks plans that read the
 * whole workspace (an identity lookup by another index's `workspace_id` prefix took 11 s a batch).
 * PGlite runs no autovacuum at all; PostgreSQL's re-analyses a table only after 10 % growth of
 * the whole table and within a minute, so a new workspace, or a new database under load, runs on
 * wrong plans meanwhile. Like autovacuum's threshold but per workspace: once a workspace has
 * stored more messages since the last refresh than a share of what the planner believes it holds
 * (and at least 1,000), the statistics are refreshed, so a growing workspace is analysed a
 * logarithmic number of times, and a restart over a big one does not analyse again. PGlite gets
 * every column analysed at 20 % growth, in turn with the writer (its one connection is the
 * writer's). PostgreSQL gets only `workspace_id` analysed (a fraction of a second; autovacuum
 * keeps the rest) each time the workspace doubles, beside the writer on another connection.
 */
function statisticsRefresher(database: Database) {
  /** Per workspace: messages stored since the last look, and what the planner believed it held then. */
  const workspaces = new Map<string, { since: number; believed?: number }>();
  let running: Promise<void> | undefined;
  const pglite = database.kind === 'pglite';
  const share = pglite ? 0.2 : 1;

  async function refresh(workspaceId: string, entry: { since: number; believed?: number }) {
    const ingest = createRepositories(database.db).ingest;
    entry.believed ??= await ingest.estimateWorkspaceMessages(workspaceId);
    if (entry.since < Math.max(1_000, entry.believed * share)) return;
    entry.since = 0;
    await ingest.refreshStatistics(pglite ? 'all' : 'workspace');
    entry.believed = await ingest.estimateWorkspaceMessages(workspaceId);
  }

  return {
    async afterStored(storedByWorkspace: Map<string, number>, log: Logger) {
      let due: [string, { since: number; believed?: number }] | undefined;
      for (const [workspaceId, stored] of storedByWorkspace) {
        const entry = workspaces.get(workspaceId) ?? { since: 0 };
        entry.since += stored;
        workspaces.set(workspaceId, entry);
        if (entry.since >= Math.max(1_000, (entry.believed ?? 0) * share)) due ??= [workspaceId, entry];
      }
      if (running !== undefined || due === undefined) return;
      const started = refresh(...due)
        .catch((error: unknown) => {
          log.warn({ err: error }, 'could not refresh the planner statistics of the ingestion tables');
        })
        .finally(() => {
          running = undefined;
        });
      running = started;
      if (pglite) await started;
    },
    /** Waits for an analysis in progress (the writer's `close`). */
    async settled() {
      await running;
    },
  };
}
