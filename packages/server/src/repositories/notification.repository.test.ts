import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { type TestDatabase, testDatabases } from '../use-cases/notifications/test-databases.ts';
import { createRepositories, type Repositories } from './index.ts';
import { enqueueNotifications, type NewNotification } from './notification.repository.ts';

const t0 = new Date('2027-03-01T09:00:00.000Z');
const minutes = (count: number) => new Date(t0.getTime() + count * 60_000);

describe.each(testDatabases)('notification repository (%s)', (_name, open) => {
  let handle: TestDatabase;
  let database: Database;
  let repos: Repositories;

  beforeAll(async () => {
    handle = await open();
    database = handle.database;
    await migrateDatabase(database);
    repos = createRepositories(database.db);
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  async function newWorkspace() {
    const id = randomUUID();
    await repos.workspaces.create({ id, slug: `test-${id}`, name: 'Acme', createdAt: t0 });
    return id;
  }

  async function newWebhook(workspaceId: string, kinds: string[] = [], format: 'json' | 'slack' = 'json') {
    const row = await repos.webhooks.create({
      workspaceId,
      id: randomUUID(),
      url: 'https://hooks.example.com/in',
      format,
      kinds,
      secret: format === 'json' ? 'whsec_x' : null,
      createdAt: t0,
    });
    return row.id;
  }

  /** Claims are global: lease every delivery of the other tests far away first. */
  async function leaseEverythingElse() {
    const far = new Date('2100-01-01T00:00:00.000Z');
    await repos.notifications.claimDue({ now: far, leaseUntil: far, limit: 100_000 });
  }

  const note = (kind: string, createdAt = t0): NewNotification => ({
    id: randomUUID(),
    kind,
    contactId: randomUUID(),
    payload: { contact: { name: "O'Brien 🚀" }, nested: [1, { a: null }] },
    createdAt,
  });

  test('fans each new notification out to the active webhooks that want its kind, once', async () => {
    const workspaceId = await newWorkspace();
    const all = await newWebhook(workspaceId);
    const hot = await newWebhook(workspaceId, ['hot-lead-routed']);
    const sla = await newWebhook(workspaceId, ['sla-breached', 'sla-at-risk']);
    const inactive = await newWebhook(workspaceId);
    await repos.webhooks.deactivate(workspaceId, inactive);
    const otherWorkspace = await newWorkspace();
    await newWebhook(otherWorkspace);

    const hotLead = note('hot-lead-routed');
    const breach = note('sla-breached');
    const recycled = note('lead-recycled');
    const enqueued = await enqueueNotifications(repos, workspaceId, [hotLead, breach, recycled]);
    const pairs = enqueued.map((delivery) => [delivery.webhookId, delivery.notificationId]);
    expect(pairs).toHaveLength(5);
    expect(pairs).toEqual(
      expect.arrayContaining([
        [all, hotLead.id],
        [all, breach.id],
        [all, recycled.id],
        [hot, hotLead.id],
        [sla, breach.id],
      ]),
    );

    expect(await enqueueNotifications(repos, workspaceId, [hotLead, breach, recycled])).toEqual([]);
    const deliveries = await repos.notifications.listDeliveries(workspaceId, all, 10);
    expect(deliveries.map((delivery) => [delivery.kind, delivery.status, delivery.attempts])).toEqual(
      expect.arrayContaining([
        ['hot-lead-routed', 'pending', 0],
        ['sla-breached', 'pending', 0],
        ['lead-recycled', 'pending', 0],
      ]),
    );
    expect(await repos.notifications.listDeliveries(workspaceId, inactive, 10)).toEqual([]);
  });

  test('joins the caller transaction: a rollback leaves neither notification nor delivery', async () => {
    const workspaceId = await newWorkspace();
    const webhookId = await newWebhook(workspaceId);
    const lost = note('sla-at-risk');
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueNotifications(createRepositories(tx), workspaceId, [lost]);
        throw new Error('the engine step failed');
      }),
    ).rejects.toThrow('the engine step failed');
    expect(await repos.notifications.listDeliveries(workspaceId, webhookId, 10)).toEqual([]);
    // The same id can then be enqueued for real.
    expect(await enqueueNotifications(repos, workspaceId, [lost])).toHaveLength(1);
  });

  test('sends a notification to one webhook whatever its kinds with onlyWebhookId', async () => {
    const workspaceId = await newWorkspace();
    await newWebhook(workspaceId);
    const picky = await newWebhook(workspaceId, ['lead-recycled']);
    const enqueued = await enqueueNotifications(repos, workspaceId, [note('test')], { onlyWebhookId: picky });
    expect(enqueued.map((delivery) => delivery.webhookId)).toEqual([picky]);
  });

  test('claims due deliveries with their webhook and payload, and leases them', async () => {
    await leaseEverythingElse();
    const workspaceId = await newWorkspace();
    const webhookId = await newWebhook(workspaceId, [], 'slack');
    const due = note('sla-breached', minutes(-5));
    const later = note('sla-breached', minutes(30));
    await enqueueNotifications(repos, workspaceId, [due, later]);

    const claimed = await repos.notifications.claimDue({ now: t0, leaseUntil: minutes(2), limit: 50 });
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({
      workspaceId,
      webhookId,
      notificationId: due.id,
      status: 'pending',
      nextAttemptAt: minutes(2),
      webhook: { url: 'https://hooks.example.com/in', format: 'slack', secret: null, active: true },
      notification: { kind: 'sla-breached', payload: due.payload, createdAt: minutes(-5) },
    });
    // Leased: not claimed again before the lease ends, claimed again after it.
    expect(
      await repos.notifications.claimDue({ now: minutes(1), leaseUntil: minutes(3), limit: 50 }),
    ).toEqual([]);
    const again = await repos.notifications.claimDue({ now: minutes(2), leaseUntil: minutes(4), limit: 50 });
    expect(again.map((delivery) => delivery.notificationId)).toEqual([due.id]);
  });

  test('records an outcome only on a pending delivery, and cancels a webhook pending deliveries', async () => {
    const workspaceId = await newWorkspace();
    const webhookId = await newWebhook(workspaceId);
    const [first, second] = await enqueueNotifications(repos, workspaceId, [
      note('sla-at-risk'),
      note('sla-at-risk'),
    ]);
    if (!first || !second) throw new Error('expected two deliveries');
    await repos.notifications.recordOutcome(workspaceId, first.id, {
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
      lastStatusCode: 204,
      lastError: null,
      deliveredAt: minutes(1),
    });
    expect(await repos.notifications.cancelPending(workspaceId, webhookId, 'The webhook was deleted.')).toBe(
      1,
    );
    await repos.notifications.recordOutcome(workspaceId, second.id, {
      status: 'pending',
      attempts: 1,
      nextAttemptAt: minutes(5),
      lastStatusCode: 500,
      lastError: 'HTTP 500',
      deliveredAt: null,
    });
    const byId = new Map(
      (await repos.notifications.listDeliveries(workspaceId, webhookId, 10)).map((delivery) => [
        delivery.id,
        delivery,
      ]),
    );
    expect(byId.get(first.id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
    expect(byId.get(second.id)).toMatchObject({
      status: 'failed',
      attempts: 0,
      lastError: 'The webhook was deleted.',
      nextAttemptAt: null,
    });
  });

  test('lets concurrent claims share the due deliveries without overlap', async () => {
    await leaseEverythingElse();
    const workspaceId = await newWorkspace();
    await newWebhook(workspaceId);
    await enqueueNotifications(
      repos,
      workspaceId,
      Array.from({ length: 30 }, () => note('sla-breached', minutes(-60))),
    );
    const claims = await Promise.all(
      [0, 1, 2].map(() => repos.notifications.claimDue({ now: t0, leaseUntil: minutes(5), limit: 12 })),
    );
    const ids = claims.flat().map((delivery) => delivery.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(30);
  });
});
