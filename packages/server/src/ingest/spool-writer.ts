import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NormalizedMessage } from '@smarketing/core';
import { AppError } from '../app-error.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { createRepositories } from '../repositories/index.ts';
import { createIdentityCache } from './identity-cache.ts';
import type { IngestWriter } from './ingest-writer.ts';
import { createSubmissionStore, type StoredSubmission } from './store-submissions.ts';

/**
 * Ingestion acknowledged on a durable local spool. Requests' messages are appended to a segment
 * file as one JSON line per request; every append that gathered while the previous one was being
 * written goes out in one write and one `fdatasync` (group commit), and only then are the requests
 * answered. A loader moves the spool into the database behind it, a few thousand messages per
 * transaction, and saves its position (segment, byte offset) in the same transaction — so after a
 * crash it resumes exactly there, and an event is stored once (messageId de-duplication makes
 * any replay harmless). A line cut short by a crash was never acknowledged and is skipped.
 * While the database is slow or down the spool absorbs events up to `maxBacklogBytes`; beyond
 * that requests get 503 with Retry-After until the loader catches up.
 *
 * Duplicates are answered from the messageIds this process has already spooled; the loader
 * drops any other duplicate when it stores.
 */
export type SpoolWriterOptions = {
  dir: string;
  maxBacklogBytes?: number;
  segmentBytes?: number;
  maxLoadMessages?: number;
  /** How many recent messageIds to remember for answering duplicates at once. */
  rememberedIds?: number;
  /** On close, how long to wait for the loader to empty the spool (what is left loads at the next start). */
  closeTimeoutMs?: number;
};

type Pending = { line: Buffer; resolve: () => void; reject: (error: unknown) => void };

const segmentName = (seq: number) => `segment-${String(seq).padStart(9, '0')}.ndjson`;
const segmentPattern = /^segment-(\d{9})\.ndjson$/;
const readChunkBytes = 4 * 1024 * 1024;

export async function createSpoolWriter(
  deps: { database: Database; clock: () => Date; log: Logger },
  options: SpoolWriterOptions,
): Promise<IngestWriter & { caughtUp(): Promise<void> }> {
  const maxBacklogBytes = options.maxBacklogBytes ?? 256 * 1024 * 1024;
  const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
  const maxLoadMessages = options.maxLoadMessages ?? 5_000;
  const rememberedIds = options.rememberedIds ?? 1_000_000;

  await mkdir(options.dir, { recursive: true });
  const idFile = join(options.dir, 'spool.id');
  const knownId = await readFile(idFile, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  const spoolId = knownId ?? randomUUID();
  const listSegments = async () =>
    (await readdir(options.dir))
      .map((name) => Number(segmentPattern.exec(name)?.[1] ?? Number.NaN))
      .filter((seq) => Number.isFinite(seq))
      .sort((a, b) => a - b);

  const existing = await listSegments();
  // Appends always go to a new segment: a segment a crash left behind may end in a cut line.
  let appendSeq = (existing.at(-1) ?? 0) + 1;
  let appendHandle: FileHandle = await open(join(options.dir, segmentName(appendSeq)), 'a');
  let appendSize = 0;
  let backlogBytes = 0;

  const seen = new Map<string, true>();
  const remember = (key: string) => {
    seen.set(key, true);
    if (seen.size > rememberedIds) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  const counters = { batches: 0, storedMessages: 0, duplicateMessages: 0, failedBatches: 0 };
  const droppedByReason: Record<string, number> = {};
  let spooledMessages = 0;
  let loadedMessages = 0;
  let pending: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  let wakeLoader: (() => void) | undefined;

  async function flushAppends(): Promise<void> {
    while (pending.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = pending;
      pending = [];
      const buffer = Buffer.concat(batch.map((item) => item.line));
      try {
        await appendHandle.write(buffer);
        await appendHandle.datasync();
        appendSize += buffer.length;
        backlogBytes += buffer.length;
        for (const item of batch) item.resolve();
      } catch (error) {
        deps.log.error({ err: error }, 'could not append to the ingestion spool');
        const failure = new AppError('UNAVAILABLE', {
          message: 'The events could not be stored right now; nothing was stored. Retry later.',
          details: { retryAfterSeconds: 5 },
          cause: error,
        });
        for (const item of batch) item.reject(failure);
      }
      if (appendSize >= segmentBytes) {
        await appendHandle.close();
        appendSeq++;
        appendHandle = await open(join(options.dir, segmentName(appendSeq)), 'a');
        appendSize = 0;
      }
      wakeLoader?.();
    }
  }

  // --- The loader -----------------------------------------------------------------------------

  const store = createSubmissionStore();
  const identityCache = createIdentityCache();
  let stopLoader = false;
  let idleWaiters: (() => void)[] = [];

  const ingestRepository = createRepositories(deps.database.db).ingest;
  const saved = await ingestRepository.findSpoolPosition(spoolId);
  if (!saved && knownId !== undefined) {
    // This database has never heard of the spool: it belongs to another database (or this one
    // was replaced). Loading it here would put another database's events in this one.
    let unloaded = 0;
    for (const seq of existing) unloaded += (await stat(join(options.dir, segmentName(seq)))).size;
    if (unloaded > 0) {
      await appendHandle.close();
      await rm(join(options.dir, segmentName(appendSeq)), { force: true });
      throw new AppError('CONFLICT', {
        message: `The ingestion spool in ${options.dir} holds events of another database. Give this server its own SMARKETING_SPOOL_DIR, or move that folder away to discard them.`,
        details: { spoolDir: options.dir, spoolId },
      });
    }
  }
  const position = saved ?? { segment: existing[0] ?? appendSeq, byteOffset: 0 };
  if (!saved) {
    // Known to the database before the first event is acknowledged, so a crash cannot orphan it.
    await ingestRepository.saveSpoolPosition(spoolId, position.segment, 0, deps.clock().toISOString());
    if (knownId === undefined) await writeFile(idFile, `${spoolId}\n`);
  }
  for (const seq of existing) {
    const path = join(options.dir, segmentName(seq));
    if (seq < position.segment) await rm(path, { force: true });
    else backlogBytes += (await stat(path)).size - (seq === position.segment ? position.byteOffset : 0);
  }

  function revive(line: string): StoredSubmission {
    const parsed = JSON.parse(line) as {
      w: string;
      m: (NormalizedMessage & { occurredAt: string; receivedAt: string })[];
      d: StoredSubmission['drops'];
    };
    return {
      workspaceId: parsed.w,
      messages: parsed.m.map((message) => ({
        ...message,
        occurredAt: new Date(message.occurredAt),
        receivedAt: new Date(message.receivedAt),
      })),
      drops: parsed.d,
    };
  }

  async function loadOnce(): Promise<'loaded' | 'idle'> {
    const path = join(options.dir, segmentName(position.segment));
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch {
      // Gone (loaded and deleted before a restart): on to the next segment, if there is one.
      const later = (await listSegments()).find((seq) => seq > position.segment);
      if (later === undefined) return 'idle';
      position.segment = later;
      position.byteOffset = 0;
      return 'loaded';
    }
    let text: string;
    let size: number;
    try {
      size = (await handle.stat()).size;
      const length = Math.min(readChunkBytes, Math.max(0, size - position.byteOffset));
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position.byteOffset);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      if (position.segment < appendSeq) {
        // Finished (what remains, if anything, is a line a crash cut short: never acknowledged).
        await rm(path, { force: true });
        backlogBytes = Math.max(0, backlogBytes - Math.max(0, size - position.byteOffset));
        position.segment++;
        position.byteOffset = 0;
        return 'loaded';
      }
      return 'idle';
    }
    const submissions: StoredSubmission[] = [];
    let consumed = 0;
    let messages = 0;
    for (const line of text
      .slice(0, lastNewline + 1)
      .split('\n')
      .slice(0, -1)) {
      if (messages >= maxLoadMessages && submissions.length > 0) break;
      consumed += Buffer.byteLength(line, 'utf8') + 1;
      if (line === '') continue;
      try {
        const submission = revive(line);
        submissions.push(submission);
        messages += submission.messages.length;
      } catch (error) {
        // Only a damaged disk writes a broken line before the end: keep going, and say so loudly.
        deps.log.error(
          { err: error, segment: position.segment, offset: position.byteOffset + consumed },
          'skipped an unreadable spool line',
        );
      }
    }
    const nextOffset = position.byteOffset + consumed;
    const now = deps.clock();
    const learnt = identityCache.transaction();
    const { stored } = await deps.database.db
      .transaction(async (tx) => {
        const repos = createRepositories(tx);
        const result = await store.store(repos, submissions, now, learnt);
        await repos.ingest.saveSpoolPosition(spoolId, position.segment, nextOffset, now.toISOString());
        return result;
      })
      .catch((error: unknown) => {
        learnt.discard();
        throw error;
      });
    learnt.commit(deps.clock().getTime());
    position.byteOffset = nextOffset;
    backlogBytes = Math.max(0, backlogBytes - consumed);
    counters.batches++;
    counters.storedMessages += stored;
    counters.duplicateMessages += messages - stored;
    loadedMessages += messages;
    return 'loaded';
  }

  const loader = (async () => {
    let failures = 0;
    while (!stopLoader) {
      let outcome: 'loaded' | 'idle';
      try {
        outcome = await loadOnce();
        failures = 0;
      } catch (error) {
        counters.failedBatches++;
        failures++;
        deps.log.error({ err: error, failures }, 'loading the ingestion spool failed; retrying');
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(10_000, 250 * 2 ** Math.min(failures, 6))),
        );
        continue;
      }
      if (outcome === 'idle') {
        for (const wake of idleWaiters) wake();
        idleWaiters = [];
        if (closed && pending.length === 0 && !flushing) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          wakeLoader = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeLoader = undefined;
      }
    }
  })();

  function caughtUp(): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      wakeLoader?.();
    });
  }

  return {
    async submit(submission) {
      if (closed) {
        throw new AppError('UNAVAILABLE', { message: 'The server is shutting down; retry shortly.' });
      }
      if (backlogBytes > maxBacklogBytes) {
        throw new AppError('UNAVAILABLE', {
          message: 'Events are arriving faster than they can be stored; retry shortly.',
          details: { retryAfterSeconds: 2, backlogBytes },
        });
      }
      for (const drop of submission.drops)
        droppedByReason[drop.reason] = (droppedByReason[drop.reason] ?? 0) + 1;
      const fresh: NormalizedMessage[] = [];
      const stored = submission.messages.map((message) => {
        const key = `${submission.workspaceId}\u0000${message.messageId}`;
        if (seen.has(key)) return false;
        remember(key);
        fresh.push(message);
        return true;
      });
      if (fresh.length === 0 && submission.drops.length === 0) return { stored };
      const line = Buffer.from(
        `${JSON.stringify({ w: submission.workspaceId, m: fresh, d: submission.drops })}\n`,
        'utf8',
      );
      try {
        await new Promise<void>((resolve, reject) => {
          pending.push({ line, resolve, reject });
          flushing ??= flushAppends().finally(() => {
            flushing = undefined;
          });
        });
      } catch (error) {
        for (const message of fresh) seen.delete(`${submission.workspaceId}\u0000${message.messageId}`);
        throw error;
      }
      spooledMessages += fresh.length;
      return { stored };
    },
    caughtUp,
    async close() {
      closed = true;
      while (flushing) await flushing;
      const waited = await Promise.race([
        caughtUp().then(() => true),
        new Promise<false>((resolve) =>
          setTimeout(() => resolve(false), options.closeTimeoutMs ?? 30_000).unref(),
        ),
      ]);
      if (!waited)
        deps.log.warn(
          { spool: options.dir },
          'closing with events still in the spool; they load at the next start',
        );
      stopLoader = true;
      wakeLoader?.();
      await loader;
      await appendHandle.close();
    },
    stats() {
      return {
        queuedMessages: Math.max(0, spooledMessages - loadedMessages),
        ...counters,
        droppedByReason: { ...droppedByReason },
      };
    },
  };
}
