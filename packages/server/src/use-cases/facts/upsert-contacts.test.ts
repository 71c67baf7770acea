import type { ContactRecord } from '@smarketing/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../db/client.ts';
import { minutesAgo, newWorkspace, now, openFactsDatabase, reposOf } from './test-workspace.ts';
import { upsertContacts } from './upsert-contacts.ts';

let deps: { database: Database; clock: () => Date };

beforeAll(async () => {
  ({ deps } = await openFactsDatabase());
});

afterAll(async () => {
  await deps.database.close();
});

const record = (overrides: Partial<ContactRecord> = {}): ContactRecord => ({
  ref: { email: 'ada@acme.com', crmId: 'hubspot:51' },
  traits: { firstName: 'Ada', title: 'VP Sales', employees: 120 },
  source: 'hubspot',
  ...overrides,
});

async function contactBy(workspaceId: string, kind: 'email' | 'crm_id' | 'user_id', value: string) {
  const contact = await reposOf(deps).contacts.findByIdentity(workspaceId, kind, value);
  if (!contact) throw new Error(`no contact for ${kind} ${value}`);
  return contact;
}

describe('upsertContacts', () => {
  test('creates contacts with traits, account, owner and imported stage history', async () => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await upsertContacts(
      {
        workspaceId,
        records: [
          record({
            account: {
              crmId: 'hubspot:company:9',
              name: 'Acme Inc.',
              domain: 'acme.com',
              traits: { industry: 'Software' },
            },
            ownerRepId: 'alex',
            createdAt: new Date('2026-05-01T00:00:00Z'),
            stageHistory: [
              { stage: 'mql', at: new Date('2026-06-01T00:00:00Z') },
              { stage: 'lead', at: new Date('2026-05-02T00:00:00Z') },
            ],
          }),
          record({ ref: { email: 'bo@globex.com' }, traits: { firstName: 'Bo' }, source: 'api' }),
        ],
      },
      deps,
    );
    expect(outcome).toEqual({ created: 2, updated: 0, duplicates: 0, rejected: [] });

    const ada = await contactBy(workspaceId, 'crm_id', 'hubspot:51');
    expect(ada).toMatchObject({
      email: 'ada@acme.com',
      traits: { firstName: 'Ada', title: 'VP Sales', employees: 120, ownerRepId: 'alex' },
      createdAt: new Date('2026-05-01T00:00:00Z'),
    });
    expect(await reposOf(deps).contactWrites.findAccount(workspaceId, ada.accountId as string)).toMatchObject(
      {
        name: 'Acme Inc.',
        domain: 'acme.com',
        externalId: 'hubspot:company:9',
        traits: { industry: 'Software' },
      },
    );
    expect(await reposOf(deps).transitions.listForContact(workspaceId, ada.id)).toEqual([
      expect.objectContaining({
        fromStage: null,
        toStage: 'lead',
        cause: 'import',
        actor: 'hubspot',
        agreementVersion: 1,
        recordedAt: now,
        externalId: 'hubspot:hubspot:51:lead',
      }),
      expect.objectContaining({ fromStage: 'lead', toStage: 'mql', externalId: 'hubspot:hubspot:51:mql' }),
    ]);

    // No explicit account: the e-mail's company domain.
    const bo = await contactBy(workspaceId, 'email', 'bo@globex.com');
    expect(await reposOf(deps).contactWrites.findAccount(workspaceId, bo.accountId as string)).toMatchObject({
      domain: 'globex.com',
    });
  });

  test('re-running the same records changes nothing', async () => {
    const workspaceId = await newWorkspace(deps);
    const records = [
      record({
        stageHistory: [{ stage: 'lead', at: minutesAgo(600) }],
        account: { name: 'Acme Corp', traits: {} },
      }),
      record({ ref: { userId: 'u-2' }, traits: { firstName: 'Cy' } }),
    ];
    expect(await upsertContacts({ workspaceId, records }, deps)).toMatchObject({ created: 2, updated: 0 });
    expect(await upsertContacts({ workspaceId, records }, deps)).toEqual({
      created: 0,
      updated: 0,
      duplicates: 2,
      rejected: [],
    });
    const ada = await contactBy(workspaceId, 'email', 'ada@acme.com');
    expect(await reposOf(deps).transitions.listForContact(workspaceId, ada.id)).toHaveLength(1);
    expect(await reposOf(deps).contactWrites.findAccount(workspaceId, ada.accountId as string)).toMatchObject(
      {
        name: 'Acme Corp',
        externalId: 'name:acme corp',
      },
    );
  });

  test('merges traits: incoming values win, null clears, equal values are no change', async () => {
    const workspaceId = await newWorkspace(deps);
    await upsertContacts({ workspaceId, records: [record()] }, deps);
    const outcome = await upsertContacts(
      {
        workspaceId,
        records: [
          record({ ref: { crmId: 'hubspot:51' }, traits: { title: 'CRO', employees: null, country: 'DE' } }),
          record({ ref: { email: 'nobody-new@acme.com', crmId: 'hubspot:52' }, traits: {} }),
        ],
      },
      deps,
    );
    expect(outcome).toEqual({ created: 1, updated: 1, duplicates: 0, rejected: [] });
    expect((await contactBy(workspaceId, 'crm_id', 'hubspot:51')).traits).toEqual({
      firstName: 'Ada',
      title: 'CRO',
      country: 'DE',
    });
    expect(
      await upsertContacts(
        { workspaceId, records: [record({ ref: { crmId: 'hubspot:51' }, traits: { title: 'CRO' } })] },
        deps,
      ),
    ).toEqual({ created: 0, updated: 0, duplicates: 1, rejected: [] });
  });

  test('a new e-mail replaces the old one, and the account of a domain is kept over the e-mail domain', async () => {
    const workspaceId = await newWorkspace(deps);
    await upsertContacts(
      { workspaceId, records: [record({ account: { domain: 'initech.com', traits: {} } })] },
      deps,
    );
    const outcome = await upsertContacts(
      { workspaceId, records: [record({ ref: { crmId: 'hubspot:51', email: 'Ada@Acme-Labs.com' } })] },
      deps,
    );
    expect(outcome).toMatchObject({ created: 0, updated: 1 });
    const ada = await contactBy(workspaceId, 'crm_id', 'hubspot:51');
    expect(ada.email).toBe('ada@acme-labs.com');
    expect(await reposOf(deps).contactWrites.findAccount(workspaceId, ada.accountId as string)).toMatchObject(
      {
        domain: 'initech.com',
      },
    );
  });

  test('a record naming two known contacts merges them', async () => {
    const workspaceId = await newWorkspace(deps);
    await upsertContacts(
      {
        workspaceId,
        records: [
          record({ ref: { email: 'dee@acme.com' }, traits: { firstName: 'Dee' } }),
          record({ ref: { userId: 'u-dee' }, traits: { plan: 'pro' } }),
        ],
      },
      deps,
    );
    const outcome = await upsertContacts(
      {
        workspaceId,
        records: [record({ ref: { email: 'dee@acme.com', userId: 'u-dee' }, traits: { title: 'CTO' } })],
      },
      deps,
    );
    expect(outcome).toMatchObject({ created: 0, updated: 1, rejected: [] });
    const survivor = await contactBy(workspaceId, 'email', 'dee@acme.com');
    expect((await contactBy(workspaceId, 'user_id', 'u-dee')).id).toBe(survivor.id);
    expect(survivor.traits).toMatchObject({ firstName: 'Dee', plan: 'pro', title: 'CTO' });
  });

  test.each<[string, Partial<ContactRecord>, string, RegExp]>([
    [
      'a stage not in the agreement',
      { stageHistory: [{ stage: 'hot-lead', at: minutesAgo(5) }] },
      'UNKNOWN_STAGE',
      /"hot-lead".*valid: subscriber, lead, mql, sql, opportunity, customer, recycled/,
    ],
    [
      'a stage time in the future',
      { stageHistory: [{ stage: 'lead', at: minutesAgo(-10) }] },
      'INVALID_TIME',
      /stageHistory\[0\]\.at/,
    ],
    [
      'a trait that is an object',
      { traits: { address: { city: 'Berlin' } } as never },
      'INVALID_FIELD',
      /traits\.address/,
    ],
    [
      'a creation time before 1990',
      { createdAt: new Date('1980-01-01T00:00:00Z') },
      'INVALID_TIME',
      /createdAt/,
    ],
    [
      'an account with a bad domain',
      { account: { domain: 'not a domain', traits: {} } },
      'INVALID_FIELD',
      /account\.domain/,
    ],
    ['a reference naming no one', { ref: {} }, 'MISSING_CONTACT', /names no one/],
  ])('rejects %s and stores the rest', async (_name, overrides, code, message) => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await upsertContacts(
      { workspaceId, records: [record(overrides), record({ ref: { email: 'ok@acme.com' } })] },
      deps,
    );
    expect(outcome).toEqual({
      created: 1,
      updated: 0,
      duplicates: 0,
      rejected: [{ index: 0, code, message: expect.stringMatching(message) }],
    });
    await expect(contactBy(workspaceId, 'email', 'ok@acme.com')).resolves.toBeTruthy();
    expect(await reposOf(deps).contacts.findByIdentity(workspaceId, 'crm_id', 'hubspot:51')).toBeUndefined();
  });

  test('a contact id of another workspace is not found, and nothing of it changes', async () => {
    const a = await newWorkspace(deps);
    const b = await newWorkspace(deps);
    await upsertContacts({ workspaceId: a, records: [record()] }, deps);
    const ada = await contactBy(a, 'email', 'ada@acme.com');
    const outcome = await upsertContacts(
      { workspaceId: b, records: [record({ ref: { contactId: ada.id }, traits: { title: 'Hacked' } })] },
      deps,
    );
    expect(outcome.rejected).toEqual([
      { index: 0, code: 'NOT_FOUND', message: expect.stringContaining(ada.id) },
    ]);
    expect((await contactBy(a, 'email', 'ada@acme.com')).traits.title).toBe('VP Sales');
  });

  test('upserts 500 contacts in one call', async () => {
    const workspaceId = await newWorkspace(deps);
    const records = Array.from({ length: 500 }, (_, index) =>
      record({
        ref: { email: `p${index}@company${index % 50}.com`, crmId: `hubspot:${1000 + index}` },
        account: { crmId: `hubspot:company:${index % 50}`, name: `Company ${index % 50}`, traits: {} },
        stageHistory: [{ stage: 'lead', at: minutesAgo(1000) }],
      }),
    );
    expect(await upsertContacts({ workspaceId, records }, deps)).toEqual({
      created: 500,
      updated: 0,
      duplicates: 0,
      rejected: [],
    });
    expect(await upsertContacts({ workspaceId, records }, deps)).toEqual({
      created: 0,
      updated: 0,
      duplicates: 500,
      rejected: [],
    });
  });
});
