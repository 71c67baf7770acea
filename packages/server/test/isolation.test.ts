import { defaultAgreementYaml, roles } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type HttpApp } from '../src/http/app.ts';
import { createApiKey } from '../src/use-cases/api-keys/create-api-key.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * Two workspaces on one server. Workspace B is filled through the API; then every route of the
 * OpenAPI document (so a route added later is covered without editing this file) is called with
 * workspace A's keys of every role, and with none, aiming at B's ids. Each answer must refuse
 * (401/403/404) or carry only A's data, and B's rows must be byte for byte what they were.
 */
const now = new Date('2027-03-01T12:00:00Z');
let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
let workspaceA: string;
let workspaceB: string;
const tokensA: Record<string, string> = {};
let adminB: string;
let ingestB: string;

/** Every identifier of B's data that A must never see (ids, e-mails, names, markers). */
const b = {
  email: 'bea@bravo-secret.example',
  userId: 'bravo-user-1',
  anonymousId: 'bravo-anon-1',
  crmId: 'salesforce:bravo-lead-1',
  messageIds: ['bravo-msg-1', 'bravo-msg-2', 'bravo-msg-3'],
  touchExternalId: 'bravo-touch-1',
  feedbackExternalId: 'bravo-feedback-1',
  dealId: 'salesforce:bravo-deal-1',
  dealExternalId: 'bravo-deal-event-1',
  companyTrait: 'Bravo Secret Corp',
  accountDomain: 'bravo-secret.example',
  agreementMarker: 'bravo-agreement-marker',
  agreementNote: 'bravo agreement note',
  webhookUrl: 'http://127.0.0.1:9/bravo-hook-path',
  keyName: 'bravo integration key',
  repId: 'bravo-rep-zed',
  repName: 'Zed Bravo',
  userEmail: 'zed@bravo-secret.example',
  ownerRepId: '',
  // Filled in by the set-up:
  workspaceId: '',
  contactId: '',
  webhookId: '',
  keyIds: [] as string[],
  keyPrefixes: [] as string[],
  otherIds: [] as string[],
};

function secretsOfB(): string[] {
  return [
    workspaceB,
    b.email,
    b.userId,
    b.anonymousId,
    b.crmId,
    ...b.messageIds,
    b.touchExternalId,
    b.feedbackExternalId,
    b.dealId,
    b.dealExternalId,
    b.companyTrait,
    b.accountDomain,
    b.agreementMarker,
    b.agreementNote,
    'bravo-hook-path',
    b.keyName,
    b.repId,
    b.repName,
    b.userEmail,
    b.contactId,
    b.webhookId,
    ...b.keyIds,
    ...b.keyPrefixes,
    ...b.otherIds,
  ].filter((value) => value !== '');
}

type Call = { method: string; path: string; token?: string | undefined; body?: unknown };

/** Everything sent with A's keys (or none): values A may store, and then read back as its own. */
const sentByA: string[] = [];

async function call(request: Call) {
  if (request.token !== adminB && request.token !== ingestB)
    sentByA.push(`${request.path} ${JSON.stringify(request.body ?? null)}`);
  const headers = new Headers();
  if (request.token) headers.set('authorization', `Bearer ${request.token}`);
  if (request.body !== undefined) headers.set('content-type', 'application/json');
  const response = await http.app.request(request.path, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  return { status: response.status, text: await response.text() };
}

async function callOk(request: Call): Promise<Record<string, unknown>> {
  const response = await call(request);
  if (response.status >= 300)
    throw new Error(`${request.method} ${request.path}: ${response.status} ${response.text}`);
  return JSON.parse(response.text) as Record<string, unknown>;
}

/**
 * B's secrets found in an answer, leaving out what the request sent itself (an echo is no leak)
 * and the identities A has itself stored before (A may record the same person B knows, and read
 * it back). B's ids, names, markers and keys are never A's to send or store.
 */
function leakedSecrets(request: Call, answer: string): string[] {
  const sent = `${request.path} ${JSON.stringify(request.body ?? null)}`;
  const storedByA = sentByA.join('\n');
  const storable = new Set([
    b.email,
    b.userId,
    b.anonymousId,
    b.crmId,
    ...b.messageIds,
    b.touchExternalId,
    b.feedbackExternalId,
    b.dealId,
    b.dealExternalId,
    b.accountDomain,
    b.userEmail,
    b.repId,
  ]);
  return secretsOfB().filter(
    (secret) =>
      answer.includes(secret) &&
      !sent.includes(secret) &&
      !(storable.has(secret) && storedByA.includes(secret)),
  );
}

/** Every row of workspace B, per table, as a count and a digest of the rows' text. */
async function snapshotOfB(): Promise<Record<string, string>> {
  const result = (await deps.database.db.execute(
    sql`select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'workspace_id' order by table_name`,
  )) as unknown as { rows: { table_name: string }[] };
  const snapshot: Record<string, string> = {};
  const tables = [...result.rows.map((row) => row.table_name), 'workspaces'];
  for (const table of tables) {
    const column = table === 'workspaces' ? 'id' : 'workspace_id';
    const digest = (await deps.database.db.execute(
      sql`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
          from ${sql.identifier(table)} t where ${sql.identifier(column)} = ${workspaceB}`,
    )) as unknown as { rows: { n: number; digest: string }[] };
    const row = digest.rows[0];
    snapshot[table] = `${row?.n} ${row?.digest}`;
  }
  return snapshot;
}

const at = '2027-03-01T09:30:00Z';
let snapshotBefore: Record<string, string>;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const a = await createWorkspace({ name: 'Alpha', createdBy: 'test' }, deps);
  const created = await createWorkspace({ name: 'Bravo', createdBy: 'test' }, deps);
  workspaceA = a.workspaceId;
  workspaceB = created.workspaceId;
  b.workspaceId = workspaceB;
  tokensA.admin = a.adminToken;
  for (const role of roles.filter((role) => role !== 'admin')) {
    tokensA[role] = (
      await createApiKey({ workspaceId: workspaceA, name: `alpha ${role}`, role, createdBy: 'test' }, deps)
    ).token;
  }
  adminB = created.adminToken;
  http = createApp(deps, {
    version: 'test',
    maxBodyBytes: 1 << 20,
    webDistDir: '/nonexistent',
    webhookAllowPrivate: true,
  });

  // Workspace B, filled through the API.
  const key = await callOk({
    method: 'POST',
    path: '/api/v1/api-keys',
    token: adminB,
    body: { name: b.keyName, role: 'ingest' },
  });
  ingestB = key.token as string;
  await callOk({
    method: 'POST',
    path: '/api/v1/agreements',
    token: adminB,
    body: {
      document: `# ${b.agreementMarker}\n${defaultAgreementYaml
        .replace(/firstTouchWithin: 24h/, 'firstTouchWithin: 8h')
        .replace(
          /\{ id: alex, name: Alex Rivera, email: alex.rivera@example.com/,
          `{ id: ${b.repId}, name: ${b.repName}, email: ${b.userEmail}`,
        )}`,
      note: b.agreementNote,
    },
  });
  await callOk({
    method: 'POST',
    path: '/api/v1/contacts',
    token: adminB,
    body: {
      contacts: [
        {
          contact: { email: b.email, crmId: b.crmId },
          traits: { company: b.companyTrait },
          account: { domain: b.accountDomain, name: b.companyTrait },
        },
      ],
    },
  });
  const segment = await callOk({
    method: 'POST',
    path: '/v1/batch',
    token: ingestB,
    body: {
      batch: [
        {
          type: 'identify',
          messageId: b.messageIds[0],
          userId: b.userId,
          anonymousId: b.anonymousId,
          traits: { email: b.email },
          timestamp: at,
        },
        {
          type: 'track',
          messageId: b.messageIds[1],
          userId: b.userId,
          event: 'Demo Requested',
          timestamp: at,
        },
        {
          type: 'page',
          messageId: b.messageIds[2],
          anonymousId: b.anonymousId,
          name: 'Pricing',
          timestamp: at,
        },
      ],
    },
  });
  expect(segment).toMatchObject({ accepted: 3, duplicates: 0, dropped: [] });
  const contact = await deps.repos.contacts.findByIdentity(workspaceB, 'email', b.email);
  if (!contact) throw new Error('B has no contact');
  b.contactId = contact.id;
  const ref = { contactId: b.contactId };
  const facts: [string, Record<string, unknown>][] = [
    [
      '/api/v1/touches',
      {
        touches: [
          { contact: ref, repId: b.repId, kind: 'call', occurredAt: at, externalId: b.touchExternalId },
        ],
      },
    ],
    [
      '/api/v1/feedback',
      {
        feedback: [
          {
            contact: ref,
            repId: b.repId,
            verdict: 'accept',
            rating: 4,
            occurredAt: at,
            externalId: b.feedbackExternalId,
          },
        ],
      },
    ],
    [
      '/api/v1/deal-events',
      {
        events: [
          {
            contact: ref,
            dealId: b.dealId,
            kind: 'created',
            name: 'Bravo deal',
            amount: '12500.00',
            occurredAt: at,
            externalId: b.dealExternalId,
          },
        ],
      },
    ],
  ];
  for (const [path, body] of facts) {
    expect(await callOk({ method: 'POST', path, token: adminB, body })).toMatchObject({
      created: 1,
      rejected: [],
    });
  }
  const webhook = await callOk({
    method: 'POST',
    path: '/api/v1/webhooks',
    token: adminB,
    body: { url: b.webhookUrl },
  });
  b.webhookId = webhook.id as string;
  await callOk({ method: 'POST', path: `/api/v1/webhooks/${b.webhookId}/test`, token: adminB });
  const keys = (await callOk({ method: 'GET', path: '/api/v1/api-keys', token: adminB })).apiKeys as {
    id: string;
    prefix: string;
  }[];
  b.keyIds = keys.map((entry) => entry.id);
  b.keyPrefixes = keys.map((entry) => entry.prefix);
  // Routes that other parts of the product add: filled when the server has them.
  const paths = await documentedPaths();
  if (paths.includes('/api/v1/users')) {
    const user = await callOk({
      method: 'POST',
      path: '/api/v1/users',
      token: adminB,
      body: {
        email: b.userEmail,
        name: b.repName,
        role: 'sales',
        repId: b.repId,
        password: 'bravo-secret-pw-1',
      },
    });
    b.otherIds.push((user.user as { id: string }).id);
  }
  if (paths.includes('/api/v1/reports/sla/settlements')) {
    await callOk({
      method: 'POST',
      path: '/api/v1/reports/sla/settlements',
      token: adminB,
      body: { period: '2027-02' },
    });
  }
  // The engine derives B's scores, stage, owner, SLA clock and alerts from the facts.
  await runEngineUntilCaughtUp(deps, { workspaceId: workspaceB });
  const view = await callOk({ method: 'GET', path: `/api/v1/contacts/${b.contactId}`, token: adminB });
  b.ownerRepId = (view.lead as { owner: { repId: string | null } | null } | null)?.owner?.repId ?? 'alex';
  snapshotBefore = await snapshotOfB();
});

afterAll(async () => {
  await deps.close();
});

describe('workspace isolation', () => {
  test("B's own admin sees B's data, so the leak check below can see a leak", async () => {
    const request = { method: 'GET', path: `/api/v1/contacts/${b.contactId}`, token: adminB };
    const answer = await call(request);
    expect(answer.status).toBe(200);
    expect(leakedSecrets(request, answer.text)).toEqual(
      expect.arrayContaining([b.companyTrait, b.email, b.repId, b.dealId]),
    );
    expect(
      Object.values(snapshotBefore).filter((entry) => !entry.startsWith('0 ')).length,
    ).toBeGreaterThanOrEqual(10);
  });

  test("A's write key stores events in A only, even with B's message ids and identities", async () => {
    const message = {
      messageId: b.messageIds[1],
      userId: b.userId,
      anonymousId: b.anonymousId,
      event: 'Demo Requested',
      timestamp: at,
    };
    for (const [path, body, token] of [
      ['/v1/track', message, tokensA.ingest],
      ['/v1/track', { ...message, messageId: b.messageIds[2], writeKey: tokensA.ingest }, undefined],
    ] as const) {
      const answer = await callOk({ method: 'POST', path, body, token });
      // Counted as new in A: a duplicate here would tell A that B holds that message id.
      expect(answer).toMatchObject({ accepted: 1, duplicates: 0 });
    }
    const inA = await deps.repos.contacts.findByIdentity(workspaceA, 'user_id', b.userId);
    expect(inA).toBeDefined();
    expect(inA?.id).not.toBe(b.contactId);
    expect(await snapshotOfB()).toEqual(snapshotBefore);
  });

  test("A's facts with B's external ids and identities are new facts of A; B's contact id is refused", async () => {
    const byEmail = { email: b.email, crmId: b.crmId };
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        '/api/v1/touches',
        {
          touches: [
            { contact: byEmail, repId: 'alex', kind: 'call', occurredAt: at, externalId: b.touchExternalId },
          ],
        },
        { created: 1, duplicates: 0 },
      ],
      [
        '/api/v1/feedback',
        {
          feedback: [
            {
              contact: byEmail,
              repId: 'alex',
              verdict: 'accept',
              occurredAt: at,
              externalId: b.feedbackExternalId,
            },
          ],
        },
        { created: 1, duplicates: 0 },
      ],
      [
        '/api/v1/deal-events',
        {
          events: [
            {
              contact: byEmail,
              dealId: b.dealId,
              kind: 'created',
              occurredAt: at,
              externalId: b.dealExternalId,
            },
          ],
        },
        { created: 1, duplicates: 0 },
      ],
      [
        '/api/v1/touches',
        { touches: [{ contact: { contactId: b.contactId }, repId: 'alex', kind: 'call', occurredAt: at }] },
        { created: 0, rejected: [expect.objectContaining({ index: 0 })] },
      ],
    ];
    for (const [path, body, expected] of cases) {
      const request = { method: 'POST', path, token: tokensA.sales, body };
      const answer = await call(request);
      expect(answer.status, `${path} ${answer.text}`).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject(expected);
      expect(leakedSecrets(request, answer.text)).toEqual([]);
    }
    const contactInA = await deps.repos.contacts.findByIdentity(workspaceA, 'email', b.email);
    expect(contactInA?.id).not.toBe(b.contactId);
    expect(await snapshotOfB()).toEqual(snapshotBefore);
  });

  test("every route of the OpenAPI document, with A's keys of every role, neither shows nor changes B's data", async () => {
    const document = JSON.parse((await call({ method: 'GET', path: '/openapi.json' })).text) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
            security?: unknown[];
          }
        >
      >;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({
          method: method.toUpperCase(),
          path,
          operation,
          // Public operations (health, sign-in) declare no security; the others need a key.
          isPublic: (operation.security ?? []).length === 0,
        })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(20);

    const failures: string[] = [];
    let requests = 0;
    let succeeded = 0;
    for (const { method, path, operation, isPublic } of operations) {
      const query = new URLSearchParams();
      for (const parameter of operation.parameters ?? []) {
        const value = queryValueOf(parameter);
        if (parameter.in === 'query' && (parameter.required || value !== undefined))
          query.set(parameter.name, value ?? '1');
      }
      // The tracking routes read their body themselves, so their operations declare none: every write gets one.
      const body = method === 'GET' || method === 'DELETE' ? undefined : bodyFor(`${method} ${path}`);
      for (const target of pathsAimedAtB(path)) {
        const url = `${target.path}${query.size > 0 ? `?${query}` : ''}`;
        for (const [role, token] of [['none', undefined], ...Object.entries(tokensA)] as const) {
          const request = { method, path: url, token, body };
          const answer = await call(request);
          requests++;
          if (answer.status < 300) succeeded++;
          const label = `${role} ${method} ${url} → ${answer.status}`;
          const leaks = leakedSecrets(request, answer.text);
          if (leaks.length > 0) failures.push(`${label} shows B's ${leaks.join(', ')}`);
          if (answer.status >= 500) failures.push(`${label}: ${answer.text}`);
          if (role === 'none' && !isPublic && answer.status !== 401) failures.push(`${label} without a key`);
          if (target.aimsAtB && ![401, 403, 404].includes(answer.status))
            failures.push(`${label} acts on B's object: ${answer.text}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(150);
    // The engine working through A's new facts touches nothing of B either.
    await runEngineUntilCaughtUp(deps, { workspaceId: workspaceA });
    // A's keys did read and write A's data on the way (the sweep is not all refusals).
    expect(succeeded).toBeGreaterThan(60);
    expect(await snapshotOfB()).toEqual(snapshotBefore);
  });
});

/** Query values: version numbers where the schema takes integers, a period of dates otherwise, B's rep. */
function queryValueOf(parameter: { name: string; schema?: unknown }): string | undefined {
  const integers = JSON.stringify(parameter.schema ?? {}).includes('"integer"');
  const values: Record<string, string> = integers
    ? { from: '1', to: '2' }
    : { from: '2027-01-01', to: '2027-03-31', rep: b.ownerRepId };
  return values[parameter.name];
}

async function documentedPaths(): Promise<string[]> {
  const document = JSON.parse((await call({ method: 'GET', path: '/openapi.json' })).text) as {
    paths: Record<string, unknown>;
  };
  return Object.keys(document.paths);
}

/**
 * The path with its parameters filled in with B's ids: each id-shaped parameter is tried with every
 * id of B (so a new route's parameter needs no entry here); a version number also with `current`.
 */
function pathsAimedAtB(path: string): { path: string; aimsAtB: boolean }[] {
  const parameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  if (parameters.length === 0) return [{ path, aimsAtB: false }];
  const ids = [b.contactId, b.webhookId, ...b.keyIds, ...b.otherIds, workspaceB];
  expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  let paths = [{ path, aimsAtB: false }];
  for (const parameter of parameters) {
    const values: { value: string; aimsAtB: boolean }[] =
      parameter === 'version'
        ? [
            { value: '2', aimsAtB: false },
            { value: 'current', aimsAtB: false },
          ]
        : ids.map((value) => ({ value, aimsAtB: true }));
    paths = paths.flatMap((entry) =>
      values.map((value) => ({
        path: entry.path.replace(`{${parameter}}`, encodeURIComponent(value.value)),
        aimsAtB: entry.aimsAtB || value.aimsAtB,
      })),
    );
  }
  return paths;
}

/** What A sends: references to B's contact, identities, deal and external ids wherever a body takes them. */
function bodyFor(operation: string): unknown {
  const refs = [
    { contactId: b.contactId },
    { email: b.email },
    { userId: b.userId, anonymousId: b.anonymousId },
    { crmId: b.crmId },
  ];
  const segmentMessage = {
    messageId: b.messageIds[0],
    userId: b.userId,
    anonymousId: b.anonymousId,
    previousId: b.anonymousId,
    groupId: b.accountDomain,
    event: 'Demo Requested',
    name: 'Pricing',
    traits: { email: b.email },
    timestamp: at,
  };
  const bodies: Record<string, unknown> = {
    'POST /api/v1/agreements': { document: defaultAgreementYaml.replace(/24h/, '12h'), note: 'alpha' },
    'POST /api/v1/agreements/check': { document: defaultAgreementYaml },
    'PUT /api/v1/personas/{id}': { version: 1, label: 'Alpha', match: { trait: 'title', contains: 'alpha' } },
    'POST /api/v1/api-keys': { name: 'alpha extra', role: 'admin' },
    'POST /api/v1/contacts/{id}/reassign': {
      repId: 'sam',
      reason: 'alpha takes it',
      idempotencyKey: 'alpha-1',
    },
    'POST /api/v1/contacts': {
      contacts: refs.map((contact) => ({ contact, traits: { company: 'Alpha overwrite' } })),
    },
    'POST /api/v1/touches': {
      touches: refs.map((contact) => ({
        contact,
        repId: 'alex',
        kind: 'call',
        occurredAt: at,
        externalId: b.touchExternalId,
      })),
    },
    'POST /api/v1/feedback': {
      feedback: refs.map((contact) => ({
        contact,
        repId: 'alex',
        verdict: 'reject',
        reason: 'spam',
        occurredAt: at,
        externalId: b.feedbackExternalId,
      })),
    },
    'POST /api/v1/deal-events': {
      events: refs.map((contact) => ({
        contact,
        dealId: b.dealId,
        kind: 'lost',
        reason: 'no-budget',
        occurredAt: at,
        externalId: b.dealExternalId,
      })),
    },
    'POST /api/v1/webhooks': { url: 'http://127.0.0.1:9/alpha-hook' },
    'POST /api/v1/reports/sla/settlements': { period: '2027-02' },
    'POST /api/v1/users': { email: b.userEmail, name: 'Alpha copy', role: 'admin' },
    'POST /api/v1/session': { email: b.userEmail, password: 'a wrong guess' },
    'POST /api/v1/contacts/{id}/stage': { to: 'recycled', reason: 'not-now' },
    'POST /v1/batch': {
      batch: ['identify', 'track', 'page', 'group', 'alias'].map((type) => ({ type, ...segmentMessage })),
    },
    'POST /v1/import': { batch: [{ type: 'track', ...segmentMessage }] },
  };
  if (operation in bodies) return bodies[operation];
  if (operation.startsWith('POST /v1/')) return segmentMessage;
  return {};
}
