import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';
import { parseInstant } from './facts.routes.ts';

const now = new Date('2027-03-01T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
const tokens: Record<string, string> = {};
let workspaceA: string;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const a = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  const b = await createWorkspace({ name: 'Beta', createdBy: 'test' }, deps);
  workspaceA = a.workspaceId;
  tokens.admin = a.adminToken;
  tokens.otherAdmin = b.adminToken;
  for (const role of ['sales', 'marketing', 'viewer', 'ingest']) {
    tokens[role] = (
      await createApiKey({ workspaceId: a.workspaceId, name: role, role, createdBy: 'test' }, deps)
    ).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

function call(path: string, init: { token?: string | undefined; body?: unknown; method?: string } = {}) {
  const headers = new Headers();
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return http.app.request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function post(path: string, body: unknown, token = tokens.sales) {
  const response = await call(path, { token, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const touch = (overrides: Record<string, unknown> = {}) => ({
  contact: { email: 'ada@acme.com' },
  repId: 'alex',
  kind: 'call',
  occurredAt: '2027-03-01T09:30:00Z',
  ...overrides,
});

type ContactView = {
  id: string;
  mergedIds: string[];
  email: string | null;
  traits: Record<string, unknown>;
  identities: { kind: string; value: string }[];
  account: { name: string; domain: string | null } | null;
  touches: { source: string; externalId: string | null; repId: string }[];
  deals: { status: string; amount: string | null; externalId: string | null }[];
  dealEvents: unknown[];
  feedback: { verdict: string; reason: string | null; rating: number | null }[];
  transitions: { toStage: string; cause: string }[];
  activities: { count: number; lastAt: string | null };
};

async function getContactView(id: string, token = tokens.viewer) {
  const response = await call(`/api/v1/contacts/${id}`, { token });
  return {
    status: response.status,
    body: (await response.json()) as ContactView & { error?: { code: string } },
  };
}

async function contactIdOf(email: string, token = tokens.sales): Promise<string> {
  // A touch-free way to learn a contact's id: upsert it (a duplicate when unchanged) and read it back.
  await post('/api/v1/contacts', { contacts: [{ contact: { email } }] }, token);
  const contact = await deps.repos.contacts.findByIdentity(workspaceA, 'email', email);
  if (!contact) throw new Error(`no contact ${email}`);
  return contact.id;
}

describe('POST /api/v1/touches', () => {
  test('stores the good items, lists the rejected ones, and a retry stores nothing', async () => {
    const body = {
      touches: [
        touch({ externalId: 'call-1', outcome: 'voicemail' }),
        touch({ repId: 'mallory', externalId: 'call-2' }),
        touch({ occurredAt: '2027-02-30T10:00:00Z' }),
        touch({ occurredAt: '2027-03-01 10:00' }),
      ],
    };
    const first = await post('/api/v1/touches', body);
    expect(first).toEqual({
      status: 200,
      body: {
        created: 1,
        duplicates: 0,
        rejected: [
          { index: 1, code: 'UNKNOWN_REP', message: expect.stringContaining('"mallory"') },
          { index: 2, code: 'INVALID_TIME', message: expect.stringContaining('not a valid time') },
          { index: 3, code: 'INVALID_TIME', message: expect.stringContaining('not a valid time') },
        ],
      },
    });
    const retry = await post('/api/v1/touches', { touches: [body.touches[0]] });
    expect(retry.body).toEqual({ created: 0, duplicates: 1, rejected: [] });

    const view = await getContactView(await contactIdOf('ada@acme.com'));
    expect(view.body.touches).toEqual([
      expect.objectContaining({ repId: 'alex', source: 'api', externalId: 'call-1', outcome: 'voicemail' }),
    ]);
  });

  test('refuses a call of more than 1,000 items, naming the limit, and stores nothing', async () => {
    const touches = Array.from({ length: 1_001 }, (_, index) =>
      touch({ contact: { email: `bulk${index}@acme.com` } }),
    );
    const response = await post('/api/v1/touches', { touches });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('At most 1,000 touches per call'),
      },
    });
    expect(await deps.repos.contacts.findByIdentity(workspaceA, 'email', 'bulk0@acme.com')).toBeUndefined();
  });

  test('a malformed item refuses the call with its path', async () => {
    const response = await post('/api/v1/touches', { touches: [touch(), touch({ kind: 'fax' })] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('touches.1.kind'),
        details: { issues: [expect.objectContaining({ path: ['touches', '1', 'kind'] })] },
      },
    });
  });

  test.each([
    ['no key', undefined, 401],
    ['a viewer key', 'viewer', 403],
    ['an ingest key', 'ingest', 403],
    ['a marketing key', 'marketing', 200],
    ['an admin key', 'admin', 200],
  ])('%s: %i', async (_name, role, status) => {
    const response = await call('/api/v1/touches', {
      token: role ? tokens[role] : undefined,
      body: { touches: [] },
    });
    expect(response.status).toBe(status);
  });
});

describe('POST /api/v1/deal-events, /feedback and /contacts', () => {
  test('record a lead from import to won deal, all visible on the contact', async () => {
    const contact = { email: 'bo@globex.com', crmId: 'salesforce:003B' };
    const upserted = await post('/api/v1/contacts', {
      contacts: [
        {
          contact,
          traits: { firstName: 'Bo', title: 'Head of RevOps' },
          account: { crmId: 'salesforce:001G', name: 'Globex', domain: 'globex.com' },
          ownerRepId: 'taylor',
          createdAt: '2026-11-02T08:00:00Z',
          stageHistory: [
            { stage: 'lead', at: '2026-11-02T08:00:00Z' },
            { stage: 'mql', at: '2026-12-01T08:00:00+01:00' },
          ],
          source: 'salesforce',
        },
      ],
    });
    expect(upserted.body).toEqual({ created: 1, updated: 0, duplicates: 0, rejected: [] });

    const feedback = await post('/api/v1/feedback', {
      feedback: [
        {
          contact,
          repId: 'taylor',
          verdict: 'accept',
          rating: 5,
          occurredAt: '2027-01-05T10:00:00Z',
          externalId: 'fb-1',
        },
        {
          contact,
          repId: 'taylor',
          verdict: 'reject',
          reason: 'too-small',
          occurredAt: '2027-01-05T10:00:00Z',
        },
        {
          contact,
          repId: 'taylor',
          verdict: 'reject',
          reason: 'no-budget',
          rating: 9,
          occurredAt: '2027-01-05T10:00:00Z',
        },
      ],
    });
    expect(feedback.body).toEqual({
      created: 1,
      duplicates: 0,
      rejected: [
        { index: 1, code: 'UNKNOWN_REASON', message: expect.stringContaining('valid: spam, duplicate') },
        { index: 2, code: 'INVALID_RATING', message: expect.stringContaining('1 to 5') },
      ],
    });

    const deals = await post('/api/v1/deal-events', {
      events: [
        {
          contact,
          dealId: 'salesforce:006G',
          kind: 'won',
          closeDate: '2027-02-20',
          occurredAt: '2027-02-20T16:00:00Z',
          source: 'salesforce',
          externalId: 'ev-3',
        },
        {
          contact,
          dealId: 'salesforce:006G',
          kind: 'created',
          name: 'Globex pilot',
          amount: 24000,
          occurredAt: '2027-01-10T16:00:00Z',
          source: 'salesforce',
          externalId: 'ev-1',
        },
        {
          contact,
          dealId: 'salesforce:006G',
          kind: 'amount-changed',
          amount: '12.345',
          occurredAt: '2027-01-12T16:00:00Z',
          source: 'salesforce',
        },
      ],
    });
    expect(deals.body).toEqual({
      created: 2,
      duplicates: 0,
      rejected: [{ index: 2, code: 'INVALID_AMOUNT', message: expect.stringContaining('"12.345"') }],
    });

    const stored = await deps.repos.contacts.findByIdentity(workspaceA, 'crm_id', 'salesforce:003B');
    const view = await getContactView(stored?.id as string);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      email: 'bo@globex.com',
      traits: { firstName: 'Bo', title: 'Head of RevOps', ownerRepId: 'taylor' },
      account: { name: 'Globex', domain: 'globex.com' },
      feedback: [{ verdict: 'accept', reason: null, rating: 5 }],
      deals: [{ status: 'won', amount: '24000.00', externalId: 'salesforce:006G' }],
      transitions: [
        { toStage: 'lead', cause: 'import' },
        { toStage: 'mql', cause: 'import' },
      ],
      activities: { count: 0, lastAt: null },
    });
    expect(view.body.dealEvents).toHaveLength(2);
    expect(view.body.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'email', value: 'bo@globex.com' }),
        expect.objectContaining({ kind: 'crm_id', value: 'salesforce:003B' }),
      ]),
    );

    const again = await post('/api/v1/contacts', {
      contacts: [{ contact, traits: { title: 'VP RevOps' }, source: 'salesforce' }],
    });
    expect(again.body).toEqual({ created: 0, updated: 1, duplicates: 0, rejected: [] });
  });
});

describe('GET /api/v1/contacts/{id}', () => {
  test('an id of a merged contact answers the survivor with the facts of both', async () => {
    await post('/api/v1/touches', {
      touches: [
        touch({ contact: { email: 'cy@initech.com' }, externalId: 'm1' }),
        touch({ contact: { userId: 'u-cy' }, externalId: 'm2' }),
      ],
    });
    const before = [
      await contactIdOf('cy@initech.com'),
      (await deps.repos.contacts.findByIdentity(workspaceA, 'user_id', 'u-cy'))?.id as string,
    ];
    expect(new Set(before).size).toBe(2);
    await post('/api/v1/touches', {
      touches: [touch({ contact: { email: 'cy@initech.com', userId: 'u-cy' } })],
    });
    const survivor = await contactIdOf('cy@initech.com');
    const byUser = await deps.repos.contacts.findByIdentity(workspaceA, 'user_id', 'u-cy');
    expect(byUser?.id).toBe(survivor);

    for (const id of before) {
      const view = await getContactView(id);
      expect(view.body.id).toBe(survivor);
      expect(view.body.touches).toHaveLength(3);
      expect(view.body.mergedIds).toHaveLength(1);
    }
  });

  test.each([
    ['an unknown id', '0190aaaa-0000-7000-8000-000000000000'],
    ['an id that is no uuid', 'not-a-uuid'],
  ])('%s is 404', async (_name, id) => {
    const view = await getContactView(id);
    expect(view.status).toBe(404);
    expect(view.body.error?.code).toBe('NOT_FOUND');
  });

  test('an ingest key may not read contacts', async () => {
    const view = await getContactView(await contactIdOf('ada@acme.com'), tokens.ingest);
    expect(view.status).toBe(403);
  });
});

describe('workspace isolation', () => {
  test('a key of another workspace can neither attach facts to a contact by id nor read it', async () => {
    const id = await contactIdOf('ada@acme.com');
    const attached = await post(
      '/api/v1/touches',
      { touches: [touch({ contact: { contactId: id }, externalId: 'intrusion' })] },
      tokens.otherAdmin,
    );
    expect(attached.body).toEqual({
      created: 0,
      duplicates: 0,
      rejected: [{ index: 0, code: 'NOT_FOUND', message: expect.stringContaining(id) }],
    });
    const feedback = await post(
      '/api/v1/feedback',
      {
        feedback: [
          {
            contact: { contactId: id },
            repId: 'alex',
            verdict: 'accept',
            occurredAt: '2027-03-01T09:00:00Z',
          },
        ],
      },
      tokens.otherAdmin,
    );
    expect(feedback.body.rejected).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);

    const read = await getContactView(id, tokens.otherAdmin);
    expect(read.status).toBe(404);
    const own = await getContactView(id);
    expect(own.body.touches.map((item) => item.externalId)).not.toContain('intrusion');
  });
});

describe('openapi', () => {
  test('documents the fact and contact routes', () => {
    const document = http.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '0' } });
    expect(Object.keys(document.paths ?? {})).toEqual(
      expect.arrayContaining([
        '/api/v1/touches',
        '/api/v1/deal-events',
        '/api/v1/feedback',
        '/api/v1/contacts',
        '/api/v1/contacts/{id}',
      ]),
    );
  });
});

describe('parseInstant', () => {
  test.each([
    ['2027-03-01T14:30:00Z', '2027-03-01T14:30:00.000Z'],
    ['2027-03-01T14:30:00.123456+01:00', '2027-03-01T13:30:00.123Z'],
    ['2027-03-01T14:30Z', '2027-03-01T14:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parseInstant(text).toISOString()).toBe(expected);
  });

  test.each(['2027-02-30T10:00:00Z', '2027-03-01T10:00:00', '2027-03-01', '1', '2027-03-01T24:00:00Z', ''])(
    'refuses %s',
    (text) => {
      expect(Number.isNaN(parseInstant(text).getTime())).toBe(true);
    },
  );
});
