import type { TouchRecord } from '@smarketing/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../db/client.ts';
import { recordTouches } from './record-touches.ts';
import { minutesAgo, newWorkspace, now, openFactsDatabase, reposOf } from './test-workspace.ts';

let deps: { database: Database; clock: () => Date };

beforeAll(async () => {
  ({ deps } = await openFactsDatabase());
});

afterAll(async () => {
  await deps.database.close();
});

const touch = (overrides: Partial<TouchRecord> = {}): TouchRecord => ({
  ref: { email: 'ada@acme.com' },
  repId: 'alex',
  kind: 'call',
  occurredAt: minutesAgo(60),
  outcome: 'connected',
  source: 'api',
  ...overrides,
});

async function contactOf(workspaceId: string, kind: 'email' | 'user_id' | 'crm_id', value: string) {
  const contact = await reposOf(deps).contacts.findByIdentity(workspaceId, kind, value);
  if (!contact) throw new Error(`no contact for ${kind} ${value}`);
  return contact;
}

describe('recordTouches', () => {
  test('stores touches with their own times and creates the contacts it does not know', async () => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordTouches(
      {
        workspaceId,
        records: [
          touch({ externalId: 't1' }),
          touch({
            ref: { crmId: 'salesforce:003A' },
            kind: 'meeting',
            repId: 'taylor',
            occurredAt: new Date('2019-05-02T10:00:00Z'),
          }),
        ],
      },
      deps,
    );
    expect(outcome).toEqual({ created: 2, duplicates: 0, rejected: [] });

    const ada = await contactOf(workspaceId, 'email', 'ada@acme.com');
    expect(ada.email).toBe('ada@acme.com');
    const touches = await reposOf(deps).touches.listForContact(workspaceId, ada.id);
    expect(touches).toEqual([
      expect.objectContaining({
        workspaceId,
        repId: 'alex',
        kind: 'call',
        outcome: 'connected',
        occurredAt: minutesAgo(60),
        recordedAt: now,
        source: 'api',
        externalId: 't1',
      }),
    ]);
    const imported = await contactOf(workspaceId, 'crm_id', 'salesforce:003A');
    expect(await reposOf(deps).touches.listForContact(workspaceId, imported.id)).toEqual([
      expect.objectContaining({
        kind: 'meeting',
        repId: 'taylor',
        occurredAt: new Date('2019-05-02T10:00:00Z'),
      }),
    ]);
  });

  test.each<[string, Partial<TouchRecord>, string, RegExp]>([
    [
      'a rep not in the agreement',
      { repId: 'mallory' },
      'UNKNOWN_REP',
      /"mallory".*known reps: alex, sam, riley, taylor, jamie/,
    ],
    [
      'a marketing manager as rep',
      { repId: 'morgan.lee@example.com' },
      'UNKNOWN_REP',
      /not a rep of a sales team/,
    ],
    [
      'a time two minutes ahead',
      { occurredAt: new Date(now.getTime() + 120_000) },
      'INVALID_TIME',
      /in the future/,
    ],
    ['a time before 1990', { occurredAt: new Date('1989-12-31T23:59:59Z') }, 'INVALID_TIME', /before 1990/],
    ['no time at all', { occurredAt: new Date('not a date') }, 'INVALID_TIME', /not a valid time/],
    [
      'an unknown kind',
      { kind: 'fax' as TouchRecord['kind'] },
      'INVALID_FIELD',
      /kind "fax".*call, email, meeting/,
    ],
    ['a reference naming no one', { ref: { email: '  ' } }, 'MISSING_CONTACT', /names no one/],
    ['a malformed e-mail', { ref: { email: 'ada-at-acme' } }, 'INVALID_FIELD', /not an e-mail/],
    [
      'an unknown contact id',
      { ref: { contactId: '0190aaaa-0000-7000-8000-000000000000' } },
      'NOT_FOUND',
      /not a contact of this workspace/,
    ],
    ['a contact id that is no uuid', { ref: { contactId: 'abc' } }, 'NOT_FOUND', /abc/],
  ])('rejects %s and stores the rest of the call', async (_name, overrides, code, message) => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordTouches(
      { workspaceId, records: [touch({ ref: { email: 'ok@acme.com' } }), touch(overrides)] },
      deps,
    );
    expect(outcome.created).toBe(1);
    expect(outcome.rejected).toEqual([{ index: 1, code, message: expect.stringMatching(message) }]);
    const ok = await contactOf(workspaceId, 'email', 'ok@acme.com');
    expect(await reposOf(deps).touches.listForContact(workspaceId, ok.id)).toHaveLength(1);
  });

  test('allows a sender clock up to a minute ahead', async () => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordTouches(
      { workspaceId, records: [touch({ occurredAt: new Date(now.getTime() + 30_000) })] },
      deps,
    );
    expect(outcome).toEqual({ created: 1, duplicates: 0, rejected: [] });
  });

  test('a retried call with the same external ids stores nothing new', async () => {
    const workspaceId = await newWorkspace(deps);
    const records = [
      touch({ externalId: 'a' }),
      touch({ externalId: 'b', kind: 'email' }),
      touch({ externalId: 'a' }),
    ];
    expect(await recordTouches({ workspaceId, records }, deps)).toEqual({
      created: 2,
      duplicates: 1,
      rejected: [],
    });
    expect(await recordTouches({ workspaceId, records }, deps)).toEqual({
      created: 0,
      duplicates: 3,
      rejected: [],
    });
    // The same external id from another source is another touch.
    expect(
      await recordTouches({ workspaceId, records: [touch({ externalId: 'a', source: 'hubspot' })] }, deps),
    ).toEqual({
      created: 1,
      duplicates: 0,
      rejected: [],
    });
    const ada = await contactOf(workspaceId, 'email', 'ada@acme.com');
    expect(await reposOf(deps).touches.listForContact(workspaceId, ada.id)).toHaveLength(3);
  });

  test('a contact id names a known contact; its new identities join it', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordTouches({ workspaceId, records: [touch()] }, deps);
    const ada = await contactOf(workspaceId, 'email', 'ada@acme.com');
    const outcome = await recordTouches(
      { workspaceId, records: [touch({ ref: { contactId: ada.id, userId: 'u-ada' }, externalId: 'x' })] },
      deps,
    );
    expect(outcome).toEqual({ created: 1, duplicates: 0, rejected: [] });
    expect((await contactOf(workspaceId, 'user_id', 'u-ada')).id).toBe(ada.id);
    expect(await reposOf(deps).touches.listForContact(workspaceId, ada.id)).toHaveLength(2);
  });

  test('a reference naming two known contacts merges them, and retries stay duplicates after the merge', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordTouches(
      {
        workspaceId,
        records: [
          touch({ ref: { email: 'bo@acme.com' }, externalId: 'first' }),
          touch({ ref: { userId: 'u-bo' }, externalId: 'second' }),
        ],
      },
      deps,
    );
    const byEmail = await contactOf(workspaceId, 'email', 'bo@acme.com');
    const byUser = await contactOf(workspaceId, 'user_id', 'u-bo');
    expect(byEmail.id).not.toBe(byUser.id);

    const outcome = await recordTouches(
      {
        workspaceId,
        records: [touch({ ref: { email: 'bo@acme.com', userId: 'u-bo' }, externalId: 'third' })],
      },
      deps,
    );
    expect(outcome).toEqual({ created: 1, duplicates: 0, rejected: [] });
    const survivor = await contactOf(workspaceId, 'user_id', 'u-bo');
    expect((await contactOf(workspaceId, 'email', 'bo@acme.com')).id).toBe(survivor.id);
    const merged = [byEmail.id, byUser.id].find((id) => id !== survivor.id) as string;
    expect((await reposOf(deps).contacts.find(workspaceId, merged))?.mergedIntoId).toBe(survivor.id);

    // The first touch is stored under the merged contact; retrying it now resolves to the survivor.
    const retry = await recordTouches(
      {
        workspaceId,
        records: [
          touch({ ref: { email: 'bo@acme.com' }, externalId: 'first' }),
          touch({ ref: { contactId: merged }, externalId: 'second' }),
        ],
      },
      deps,
    );
    expect(retry).toEqual({ created: 0, duplicates: 2, rejected: [] });
  });

  test("a workspace cannot attach touches to another workspace's contact", async () => {
    const a = await newWorkspace(deps);
    const b = await newWorkspace(deps);
    await recordTouches({ workspaceId: a, records: [touch()] }, deps);
    const ada = await contactOf(a, 'email', 'ada@acme.com');
    const outcome = await recordTouches(
      { workspaceId: b, records: [touch({ ref: { contactId: ada.id } })] },
      deps,
    );
    expect(outcome).toEqual({
      created: 0,
      duplicates: 0,
      rejected: [{ index: 0, code: 'NOT_FOUND', message: expect.stringContaining(ada.id) }],
    });
    expect(await reposOf(deps).touches.listForContact(a, ada.id)).toHaveLength(1);
  });

  test('stores a call of 500 touches', async () => {
    const workspaceId = await newWorkspace(deps);
    const records = Array.from({ length: 500 }, (_, index) =>
      touch({ ref: { email: `lead${index % 250}@acme.com` }, externalId: `bulk-${index}` }),
    );
    expect(await recordTouches({ workspaceId, records }, deps)).toEqual({
      created: 500,
      duplicates: 0,
      rejected: [],
    });
    expect(await recordTouches({ workspaceId, records }, deps)).toEqual({
      created: 0,
      duplicates: 500,
      rejected: [],
    });
  });
});
