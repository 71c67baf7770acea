import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Database, Db } from '../src/db/client.ts';
import { createApp } from '../src/http/app.ts';
import { createIngestWriter, type IngestWriterOptions } from '../src/ingest/ingest-writer.ts';
import { createApiKey } from '../src/use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * The tracking API under a slow or failing database, through HTTP: a full ingest queue answers
 * 503 with Retry-After instead of growing; an outage answers 503 with nothing stored; once the
 * database is back, the clients' retries store every event exactly once.
 */
let deps: Awaited<ReturnType<typeof openTestDeps>>;
let workspaceId: string;
let writeKey: string;

beforeAll(async () => {
  deps = await openTestDeps();
  workspaceId = (await createWorkspace({ name: 'Pressure', createdBy: 'test' }, deps)).workspaceId;
  writeKey = (await createApiKey({ workspaceId, name: 'site', role: 'ingest', createdBy: 'test' }, deps))
    .token;
});

afterAll(async () => {
  await deps.close();
});

type Fault = 'none' | 'refused' | 'lost-at-commit';

/**
 * The test database behind a switch: transactions wait at a gate while it is closed, and fail
 * while a fault is set, either at once (connection refused) or after their writes, before the
 * commit (connection lost mid-transaction, so the writes roll back).
 */
function faultyDatabase(database: Database) {
  const state = { fault: 'none' as Fault, gate: Promise.resolve(), transactionsStarted: 0 };
  const db = new Proxy(database.db, {
    get(target, property) {
      if (property === 'transaction') {
        return async (work: (tx: Db) => Promise<unknown>) => {
          state.transactionsStarted++;
          await state.gate;
          if (state.fault === 'refused') {
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          }
          const fault = state.fault;
          return target.transaction(async (tx) => {
            const result = await work(tx as unknown as Db);
            if (fault === 'lost-at-commit') {
              throw Object.assign(new Error('terminating connection'), { code: '08006' });
            }
            return result;
          });
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const faulty: Database = {
    ...database,
    db,
    ping: () =>
      state.fault === 'none' ? database.ping() : Promise.reject(new Error('database not reachable')),
  };
  return { database: faulty, state };
}

function serveWith(options: IngestWriterOptions) {
  const { database, state } = faultyDatabase(deps.database);
  const ingest = createIngestWriter({ database, clock: deps.clock, log: deps.log }, options);
  const { app } = createApp(
    { ...deps, database, ingest },
    { version: 'test', maxBodyBytes: 64 * 1024, webDistDir: '/nonexistent' },
  );
  const track = (messageId: string) =>
    app.request('/v1/track', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
      body: JSON.stringify({ messageId, anonymousId: `visitor-${messageId}`, event: 'Pricing Viewed' }),
    });
  const batch = (messageIds: string[]) =>
    app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
      body: JSON.stringify({
        batch: messageIds.map((messageId) => ({
          type: 'track',
          messageId,
          userId: 'returning-user',
          event: 'Pricing Viewed',
        })),
      }),
    });
  return { app, ingest, state, track, batch };
}

async function storedCount(messageIdPrefix: string): Promise<{ rows: number; distinct: number }> {
  const result = (await deps.database.db.execute(
    sql`select count(*)::int as n, count(distinct message_id)::int as d from activities
        where workspace_id = ${workspaceId}::uuid and message_id like ${`${messageIdPrefix}%`}`,
  )) as unknown as { rows: { n: number; d: number }[] };
  return { rows: Number(result.rows[0]?.n), distinct: Number(result.rows[0]?.d) };
}

describe('tracking under back-pressure', () => {
  test('a full queue answers 503 UNAVAILABLE with Retry-After, and the queued calls are stored once the writer catches up', async () => {
    const server = serveWith({ maxQueuedMessages: 2 });
    let open = () => {};
    server.state.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = server.track('full-1');
    await vi.waitFor(() => expect(server.state.transactionsStarted).toBe(1));
    const queued = [server.track('full-2'), server.track('full-3')];
    await vi.waitFor(() => expect(server.ingest.stats().queuedMessages).toBe(2));

    const refused = await server.track('full-4');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await refused.json()).toMatchObject({
      error: { code: 'UNAVAILABLE', message: expect.stringContaining('queue is full') },
    });

    open();
    expect((await Promise.all([first, ...queued])).map((response) => response.status)).toEqual([
      200, 200, 200,
    ]);
    const retried = await server.track('full-4');
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await storedCount('full-')).toEqual({ rows: 4, distinct: 4 });
    await server.ingest.close();
  });

  test.each(['refused', 'lost-at-commit'] as const)(
    'a database outage (%s) answers 503 with Retry-After and stores nothing; after it, retries store every event exactly once',
    async (fault) => {
      const server = serveWith({});
      const prefix = `outage-${fault}-`;
      const before = await server.batch([`${prefix}0`]);
      expect(before.status).toBe(200);

      server.state.fault = fault;
      const ids = [1, 2, 3].map((index) => `${prefix}${index}`);
      const during = await server.batch(ids);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('5');
      expect(await during.json()).toMatchObject({
        error: { code: 'UNAVAILABLE', message: expect.stringContaining('nothing was stored') },
      });
      expect((await server.track(`${prefix}4`)).status).toBe(503);
      expect((await server.app.request('/readyz')).status).toBe(503);
      expect(await storedCount(prefix)).toEqual({ rows: 1, distinct: 1 });
      expect(server.ingest.stats()).toMatchObject({ failedBatches: 2, queuedMessages: 0 });

      server.state.fault = 'none';
      expect((await server.app.request('/readyz')).status).toBe(200);
      const retry = await server.batch(ids);
      expect(retry.status).toBe(200);
      expect(await retry.json()).toMatchObject({ accepted: 3, duplicates: 0, dropped: [] });
      expect(await (await server.track(`${prefix}4`)).json()).toMatchObject({ accepted: 1, duplicates: 0 });
      // A client that retries once more (its answer got lost) stores nothing twice.
      expect(await (await server.batch([`${prefix}0`, ...ids])).json()).toMatchObject({
        accepted: 0,
        duplicates: 4,
      });
      expect(await storedCount(prefix)).toEqual({ rows: 5, distinct: 5 });
      // Identities learnt in the failed transaction were forgotten: every event names a stored contact.
      const orphans = (await deps.database.db.execute(
        sql`select count(*)::int as n from activities a
            where a.workspace_id = ${workspaceId}::uuid and a.message_id like ${`${prefix}%`}
              and not exists (select 1 from contacts c where c.workspace_id = a.workspace_id and c.id = a.contact_id)`,
      )) as unknown as { rows: { n: number }[] };
      expect(Number(orphans.rows[0]?.n)).toBe(0);
      await server.ingest.close();
    },
  );
});
