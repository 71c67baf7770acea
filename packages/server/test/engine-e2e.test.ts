import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { startEngineWorker } from '../src/jobs/engine-worker.ts';
import { verifySignature } from '../src/notify/sign-payload.ts';
import { startNotifier } from '../src/notify/start-notifier.ts';
import { bootstrapWorkspace } from '../src/use-cases/workspaces/bootstrap-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

type Received = {
  headers: IncomingHttpHeaders;
  body: string;
  json: { kind: string; data: Record<string, unknown> };
};

/** Waits until `probe` answers something, polling; fails after `timeoutMs`. */
async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The whole path over HTTP, with the server's own workers: Segment events for a new contact →
 * fit and interest → MQL → routed to the right rep → signed webhook with the explanation → a
 * touch stops the clock; a second lead's clock runs out → breach alert → escalations. The clock
 * is a test clock the test moves forward; the scheduler ticks on it.
 */
describe('the engine end to end over HTTP', () => {
  let now = new Date('2027-03-02T20:00:00Z');
  const received: Received[] = [];
  let close: () => Promise<void>;
  let base: string;
  let token: string;
  let secret: string;

  beforeAll(async () => {
    const deps = await openTestDeps({ clock: () => now });
    const first = await bootstrapWorkspace({ name: 'E2E' }, deps);
    if (!first.created) throw new Error('expected a new workspace');
    token = first.adminToken;

    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body, json: JSON.parse(body) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const http = createApp(deps, { version: 'test', maxBodyBytes: 1_000_000, webhookAllowPrivate: true });
    const server = serve({ fetch: http.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const notifier = startNotifier({ allowPrivateUrls: true, intervalMs: 50 }, { ...deps, fetch });
    const engine = startEngineWorker(
      { pollMs: 20, tickMs: 50, onNotifications: () => notifier.wake() },
      deps,
    );

    const created = await api('POST', '/api/v1/webhooks', { url: receiverUrl, format: 'json' });
    expect(created.status).toBe(201);
    secret = (created.body as { secret: string }).secret;

    close = async () => {
      await engine.stop();
      await notifier.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      await deps.close();
    };
  });

  afterAll(async () => {
    await close?.();
  });

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  async function track(userId: string, traits: Record<string, unknown>) {
    const timestamp = now.toISOString();
    const response = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        batch: [
          { type: 'identify', userId, traits, timestamp, messageId: `${userId}-identify` },
          { type: 'track', userId, event: 'Demo Requested', timestamp, messageId: `${userId}-demo` },
        ],
      }),
    });
    expect(response.status).toBe(200);
  }

  const notificationFor = (kind: string, email: string) =>
    eventually(() =>
      received.find(
        (message) =>
          message.json.kind === kind &&
          (message.json.data.contact as { email: string } | undefined)?.email === email,
      ),
    );

  async function contactOf(email: string) {
    const routed = await notificationFor('hot-lead-routed', email);
    const id = (routed.json.data.contact as { id: string }).id;
    return (await api('GET', `/api/v1/contacts/${id}`)).body as {
      id: string;
      lead: {
        stage: string;
        quadrant: string;
        owner: { repId: string; teamId: string };
        fit: { grade: string; explanation: { label: string }[] };
        interest: { score: number; explanation: { label: string }[] };
        clock: { status: string; stopCause: string | null };
        alerts: { kind: string }[];
        assignments: { repId: string; reason: string }[];
      };
    };
  }

  test('a hot lead is scored, becomes an MQL, is routed to the right rep, notified with why, and a touch stops its clock', async () => {
    await track('dana', {
      email: 'dana@bigco.example',
      firstName: 'Dana',
      lastName: 'Smith',
      title: 'VP of Marketing',
      employees: 2500,
      industry: 'Software',
    });

    const routed = await notificationFor('hot-lead-routed', 'dana@bigco.example');
    // Signed, verifiable by the receiver with the secret it was given.
    const check = verifySignature({
      header: routed.headers['smarketing-signature'] as string,
      body: routed.body,
      secret,
      now,
    });
    expect(check.ok).toBe(true);
    // 2,500 employees: the large-companies rule sends it to enterprise sales, whose first rep is Taylor.
    expect(routed.json.data).toMatchObject({
      rep: { id: 'taylor' },
      team: { id: 'enterprise-sales' },
      quadrant: 'hot',
    });
    const why = JSON.stringify(routed.json.data);
    expect(why).toContain('Requested a demo');
    expect(why).toContain('1,000 employees or more');

    const contact = await contactOf('dana@bigco.example');
    expect(contact.lead).toMatchObject({
      stage: 'mql',
      quadrant: 'hot',
      owner: { repId: 'taylor', teamId: 'enterprise-sales' },
    });
    expect(contact.lead.fit.grade).toBe('A');
    expect(contact.lead.assignments[0]?.reason).toContain('large-companies');
    expect(contact.lead.clock.status).toBe('open');

    now = new Date(now.getTime() + 2 * 3_600_000);
    const touched = await api('POST', '/api/v1/touches', {
      touches: [
        {
          contact: { email: 'dana@bigco.example' },
          repId: 'taylor',
          kind: 'call',
          occurredAt: now.toISOString(),
        },
      ],
    });
    expect(touched.status).toBe(200);
    const worked = await eventually(async () => {
      const view = await contactOf('dana@bigco.example');
      return view.lead.clock.status === 'worked' ? view : undefined;
    });
    expect(worked.lead.clock.stopCause).toBe('touch:call');
  });

  test('a lead nobody touches: at-risk warning, breach alert at the deadline, then the manager, then reassignment', async () => {
    await track('lee', {
      email: 'lee@midco.example',
      firstName: 'Lee',
      lastName: 'Wong',
      title: 'Director of Revenue Operations',
      employees: 200,
      industry: 'Software',
    });
    const routed = await notificationFor('hot-lead-routed', 'lee@midco.example');
    expect(routed.json.data).toMatchObject({ team: { id: 'inside-sales' } });
    const firstRep = (routed.json.data.rep as { id: string }).id;

    now = new Date(now.getTime() + 19 * 3_600_000);
    await notificationFor('sla-at-risk', 'lee@midco.example');
    now = new Date(now.getTime() + 6 * 3_600_000);
    const breached = await notificationFor('sla-breached', 'lee@midco.example');
    expect(breached.json.data).toMatchObject({ rep: { id: firstRep } });
    now = new Date(now.getTime() + 4 * 3_600_000);
    const manager = await notificationFor('sla-escalated', 'lee@midco.example');
    expect(manager.json.data).toMatchObject({ action: 'notify-manager', manager: { name: 'Jordan Park' } });
    now = new Date(now.getTime() + 20 * 3_600_000);
    const reassigned = await eventually(() =>
      received.find(
        (message) => message.json.kind === 'sla-escalated' && message.json.data.action === 'reassign',
      ),
    );
    const newRep = (reassigned.json.data.newRep as { id: string }).id;
    expect(newRep).not.toBe(firstRep);

    const contact = await contactOf('lee@midco.example');
    expect(contact.lead.alerts.map((alert) => alert.kind)).toEqual([
      'sla-breached',
      'sla-escalated',
      'sla-escalated',
    ]);
    expect(contact.lead.owner.repId).toBe(newRep);
    expect(contact.lead.clock.status).toBe('open');

    const alerts = (await api('GET', '/api/v1/alerts?kind=sla-breached')).body as {
      alerts: { kind: string }[];
    };
    expect(alerts.alerts.length).toBeGreaterThanOrEqual(1);
    const status = (await api('GET', '/api/v1/engine')).body as {
      pending: number;
      routing: { teamId: string }[];
    };
    expect(status.routing.map((team) => team.teamId)).toEqual(['inside-sales', 'enterprise-sales']);
  });

  test('a manual move is checked against the agreement: an illegal one is refused with the allowed moves', async () => {
    const contact = await contactOf('dana@bigco.example');
    const refused = await api('POST', `/api/v1/contacts/${contact.id}/stage`, { to: 'customer' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { details: { stage: 'mql', allowed: ['sql', 'recycled', 'disqualified'] } },
    });
    const noReason = await api('POST', `/api/v1/contacts/${contact.id}/stage`, { to: 'recycled' });
    expect(noReason.status).toBe(409);
    const moved = await api('POST', `/api/v1/contacts/${contact.id}/stage`, {
      to: 'recycled',
      reason: 'not-now',
    });
    expect(moved.status).toBe(201);
    const view = await eventually(async () => {
      const current = await contactOf('dana@bigco.example');
      return current.lead.stage === 'recycled' ? current : undefined;
    });
    expect(view.lead.stage).toBe('recycled');
  });
});
