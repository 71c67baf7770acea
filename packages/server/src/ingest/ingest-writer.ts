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
        await statistics.afterStored(stored, deps.log);
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
    },
    stats() {
      return { queuedMessages, ...counters, droppedByReason: { ...droppedByReason } };
    },
  };
}

/**
 * PGlite runs no autovacuum, so without this the planner's statistics of the ingestion tables stay
 * those of an empty database and it chooses plans that read a whole workspace for a handful of
 * rows (a hash join over every contact, for instance). Like autovacuum's analyze threshold, this
 * refreshes them once the rows stored since the last refresh pass a share of those stored before
 * (so a growing database is analysed a logarithmic number of times). PostgreSQL does it itself.
 */
function statisticsRefresher(database: Database) {
  let sinceRefresh = 0;
  let total = 0;
  return {
    async afterStored(stored: number, log: Logger) {
      if (database.kind !== 'pglite') return;
      sinceRefresh += stored;
      total += stored;
      if (sinceRefresh < Math.max(1_000, total * 0.2)) return;
      sinceRefresh = 0;
      try {
        await createRepositories(database.db).ingest.refreshStatistics();
      } catch (error) {
        log.warn({ err: error }, 'could not refresh the planner statistics of the ingestion tables');
      }
    },
  };
}
