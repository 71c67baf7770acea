import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { verifySignature } from '../../notify/sign-payload.ts';
import { startNotifier } from '../../notify/start-notifier.ts';
import { enqueueNotifications } from '../../repositories/notification.repository.ts';
import { createWebhook } from '../webhooks/create-webhook.ts';
import { deleteWebhook } from '../webhooks/delete-webhook.ts';
import { listWebhookDeliveries } from '../webhooks/list-webhook-deliveries.ts';
import { listWebhooks } from '../webhooks/list-webhooks.ts';
import {
  type DeliveryOptions,
  deliverDueNotifications,
  maxDeliveryAttempts,
} from './deliver-due-notifications.ts';
import { type TestDatabase, testDatabases } from './test-databases.ts';

type Received = { method: string; headers: IncomingHttpHeaders; body: string };
type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

/** A real HTTP receiver on 127.0.0.1 answering the n-th request (0-based) with `answer(n)`. */
async function startReceiver(answer: (index: number) => Answer) {
  const received: Received[] = [];
  const pending = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = answer(received.length);
      received.push({
        method: request.method ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      pending.add(response);
      setTimeout(() => {
        pending.delete(response);
        response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/smarketing`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of pending) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const t0 = new Date('2027-03-01T09:00:00.000Z');
const after = (ms: number) => new Date(t0.getTime() + ms);
const options: DeliveryOptions = { allowPrivateUrls: true, timeoutMs: 2_000 };

describe.each(testDatabases)('deliverDueNotifications (%s)', (_name, open) => {
  let handle: TestDatabase;
  let deps: Deps & { close(): Promise<void> };
  let now: Date;
  let workspaceId: string;
  let notifyDeps: Deps & { fetch: typeof fetch };

  beforeAll(async () => {
    handle = await open();
    deps = await openTestDeps({ database: handle.database, clock: () => now });
    notifyDeps = { ...deps, fetch };
  });

  afterAll(async () => {
    await deps?.close();
    await handle?.dispose();
  });

  beforeEach(async () => {
    // Claims are global: park what earlier tests left pending, then start each test at t0.
    const far = new Date('2100-01-01T00:00:00.000Z');
    await deps.repos.notifications.claimDue({ now: far, leaseUntil: far, limit: 100_000 });
    now = t0;
    workspaceId = randomUUID();
    await deps.repos.workspaces.create({
      id: workspaceId,
      slug: `test-${workspaceId}`,
      name: 'Acme',
      createdAt: t0,
    });
  });

  async function newWebhook(url: string, format: 'json' | 'slack' = 'json') {
    return createWebhook({ workspaceId, url, format, kinds: [], allowPrivateUrls: true }, deps);
  }

  async function enqueue(kind = 'sla-breached', createdAt = t0) {
    const notificationId = randomUUID();
    const payload = {
      contact: {
        id: randomUUID(),
        email: 'dana@acme.com',
        name: 'Dana Smith',
        title: 'VP Marketing',
        company: 'Acme',
      },
      rep: { id: 'taylor', name: 'Taylor Brooks' },
      deadline: '2027-03-01T08:00:00.000Z',
      minutesLate: 60,
    };
    await enqueueNotifications(deps.repos, workspaceId, [{ id: notificationId, kind, payload, createdAt }]);
    return { notificationId, payload };
  }

  async function deliveriesOf(webhookId: string) {
    return listWebhookDeliveries({ workspaceId, webhookId, limit: 50 }, deps);
  }

  test('sends a signed JSON envelope that the receiver verifies, and records it delivered', async () => {
    const receiver = await startReceiver(() => ({ status: 204 }));
    try {
      const webhook = await newWebhook(receiver.url);
      const { notificationId, payload } = await enqueue();

      expect(await deliverDueNotifications(options, notifyDeps)).toEqual({
        claimed: 1,
        delivered: 1,
        retrying: 0,
        failed: 0,
      });
      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      if (!request || !webhook.secret) throw new Error('expected a request and a secret');
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['smarketing-event']).toBe('sla-breached');
      expect(
        verifySignature({
          header: request.headers['smarketing-signature'] as string,
          body: request.body,
          secret: webhook.secret,
          now: after(10_000),
        }),
      ).toEqual({ ok: true, timestamp: t0.getTime() / 1000 });
      expect(
        verifySignature({
          header: request.headers['smarketing-signature'] as string,
          body: request.body.replace('Dana', 'Dina'),
          secret: webhook.secret,
          now: t0,
        }).ok,
      ).toBe(false);
      expect(JSON.parse(request.body)).toEqual({
        id: notificationId,
        kind: 'sla-breached',
        createdAt: t0.toISOString(),
        workspaceId,
        data: payload,
      });

      const [delivery] = await deliveriesOf(webhook.id);
      expect(request.headers['smarketing-delivery']).toBe(delivery?.id);
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 204,
        lastError: null,
        deliveredAt: t0,
        nextAttemptAt: null,
      });
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 0 });
    } finally {
      await receiver.close();
    }
  });

  test('retries with backoff: after 500, 500 and 200 it is delivered on the third attempt', async () => {
    const receiver = await startReceiver((index) =>
      index < 2 ? { status: 500, body: `boom ${'x'.repeat(2_000)}` } : { status: 200, body: 'ok' },
    );
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue();

      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 1, retrying: 1 });
      let [delivery] = await deliveriesOf(webhook.id);
      expect(delivery).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastStatusCode: 500,
        nextAttemptAt: after(30_000),
      });
      expect(delivery?.lastError).toMatch(/^HTTP 500: boom x+$/);
      expect(delivery?.lastError?.length).toBeLessThanOrEqual(320);

      now = after(29_999);
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 0 });
      now = after(30_000);
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 1, retrying: 1 });
      [delivery] = await deliveriesOf(webhook.id);
      expect(delivery).toMatchObject({ attempts: 2, nextAttemptAt: after(30_000 + 120_000) });

      now = after(150_000);
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 1, delivered: 1 });
      [delivery] = await deliveriesOf(webhook.id);
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 3,
        lastStatusCode: 200,
        lastError: null,
        deliveredAt: after(150_000),
      });
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((request) => request.headers['smarketing-delivery']))).toEqual(
        new Set([delivery?.id]),
      );
    } finally {
      await receiver.close();
    }
  });

  test('gives up after the maximum number of attempts, waiting longer each time', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue();
      const waits: number[] = [];
      for (let attempt = 1; attempt <= maxDeliveryAttempts; attempt++) {
        expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 1 });
        const [delivery] = await deliveriesOf(webhook.id);
        if (delivery?.nextAttemptAt) {
          waits.push(delivery.nextAttemptAt.getTime() - now.getTime());
          now = delivery.nextAttemptAt;
        }
      }
      expect(waits.map((ms) => ms / 1000)).toEqual([30, 120, 600, 3_600, 21_600, 43_200, 86_400]);
      const [delivery] = await deliveriesOf(webhook.id);
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 8,
        lastStatusCode: 503,
        nextAttemptAt: null,
      });
      now = after(365 * 86_400_000);
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 0 });
      expect(receiver.received).toHaveLength(8);
    } finally {
      await receiver.close();
    }
  });

  test('deactivates a webhook that answers 410 Gone and fails its pending deliveries', async () => {
    const receiver = await startReceiver(() => ({ status: 410, body: 'gone' }));
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue('sla-breached', t0);
      const later = await enqueue('sla-at-risk', after(3_600_000));

      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 1, failed: 1 });
      const deliveries = await deliveriesOf(webhook.id);
      expect(
        deliveries.map((delivery) => [delivery.notificationId === later.notificationId, delivery.status]),
      ).toEqual(
        expect.arrayContaining([
          [false, 'failed'],
          [true, 'failed'],
        ]),
      );
      expect(deliveries.find((delivery) => delivery.notificationId !== later.notificationId)).toMatchObject({
        attempts: 1,
        lastStatusCode: 410,
      });
      expect(
        deliveries.find((delivery) => delivery.notificationId === later.notificationId)?.lastError,
      ).toContain('410 Gone');
      expect((await listWebhooks({ workspaceId }, deps))[0]?.active).toBe(false);

      await enqueue();
      expect(await deliveriesOf(webhook.id)).toHaveLength(2);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  test('follows no redirect, and records timeouts and refused connections as failed attempts', async () => {
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const slow = await startReceiver(() => ({ status: 200, delayMs: 1_500 }));
    const closed = await startReceiver(() => ({ status: 200 }));
    await closed.close();
    try {
      const toRedirect = await newWebhook(redirecting.url);
      const toSlow = await newWebhook(slow.url);
      const toClosed = await newWebhook(closed.url);
      await enqueue();

      expect(await deliverDueNotifications({ ...options, timeoutMs: 200 }, notifyDeps)).toMatchObject({
        claimed: 3,
        retrying: 3,
      });
      expect(redirecting.received).toHaveLength(1);
      expect((await deliveriesOf(toRedirect.id))[0]).toMatchObject({
        status: 'pending',
        lastStatusCode: 302,
        lastError: 'HTTP 302: redirects are not followed',
      });
      expect((await deliveriesOf(toSlow.id))[0]).toMatchObject({
        lastStatusCode: null,
        lastError: 'no answer within 200 ms',
        nextAttemptAt: after(30_000),
      });
      expect((await deliveriesOf(toClosed.id))[0]?.lastError).toContain('ECONNREFUSED');
    } finally {
      await redirecting.close();
      await slow.close();
    }
  });

  test('refuses at delivery time a URL that is private when private addresses are not allowed', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue();
      expect(
        await deliverDueNotifications({ ...options, allowPrivateUrls: false }, notifyDeps),
      ).toMatchObject({
        retrying: 1,
      });
      expect(receiver.received).toHaveLength(0);
      expect((await deliveriesOf(webhook.id))[0]?.lastError).toContain(
        'Refused: the URL points at a loopback',
      );
    } finally {
      await receiver.close();
    }
  });

  test('posts Slack messages without a signature', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    try {
      const webhook = await newWebhook(receiver.url, 'slack');
      expect(webhook.secret).toBeNull();
      await enqueue();
      await deliverDueNotifications(options, notifyDeps);
      const [request] = receiver.received;
      expect(request?.headers['smarketing-signature']).toBeUndefined();
      expect(JSON.parse(request?.body ?? '{}').text).toMatch(
        /^🚨 SLA breached: Dana Smith \(VP Marketing, Acme\)/,
      );
    } finally {
      await receiver.close();
    }
  });

  test('fails without sending what is due for a webhook deleted meanwhile', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const deleted = await newWebhook(receiver.url);
      const raced = await newWebhook(receiver.url);
      await enqueue();
      await deleteWebhook({ workspaceId, id: deleted.id }, deps);
      await deps.repos.webhooks.deactivate(workspaceId, raced.id);

      expect(await deliverDueNotifications(options, notifyDeps)).toEqual({
        claimed: 1,
        delivered: 0,
        retrying: 0,
        failed: 1,
      });
      expect(receiver.received).toHaveLength(0);
      expect((await deliveriesOf(deleted.id))[0]).toMatchObject({
        status: 'failed',
        lastError: 'The webhook was deleted.',
      });
      expect((await deliveriesOf(raced.id))[0]).toMatchObject({ status: 'failed', attempts: 0 });
    } finally {
      await receiver.close();
    }
  });

  test('sends a delivery leased by a notifier that died once its lease has run out', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue();
      await deps.repos.notifications.claimDue({ now: t0, leaseUntil: after(70_000), limit: 10 });

      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ claimed: 0 });
      now = after(70_000);
      expect(await deliverDueNotifications(options, notifyDeps)).toMatchObject({ delivered: 1 });
      expect((await deliveriesOf(webhook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    } finally {
      await receiver.close();
    }
  });

  test('startNotifier runs a round at once when woken, instead of at the next poll', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    const notifier = startNotifier({ ...options, intervalMs: 60_000 }, notifyDeps);
    try {
      const webhook = await newWebhook(receiver.url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await enqueue();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.received).toHaveLength(0);
      notifier.wake();
      await expect.poll(() => receiver.received.length, { timeout: 5_000, interval: 5 }).toBe(1);
      await notifier.stop();
      expect((await deliveriesOf(webhook.id))[0]).toMatchObject({ status: 'delivered' });
    } finally {
      await notifier.stop();
      await receiver.close();
    }
  });

  test('startNotifier delivers in the background, and stop() waits for the round in flight', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    const notifier = startNotifier({ ...options, intervalMs: 10 }, notifyDeps);
    try {
      const webhook = await newWebhook(receiver.url);
      await enqueue();
      await expect.poll(() => receiver.received.length, { timeout: 5_000, interval: 5 }).toBe(1);
      await notifier.stop();
      expect((await deliveriesOf(webhook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });

      await enqueue();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.received).toHaveLength(1);
    } finally {
      await notifier.stop();
      await receiver.close();
    }
  });
});
