import type { DealEventRecord } from '@smarketing/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../db/client.ts';
import { recordDealEvents } from './record-deal-events.ts';
import { newWorkspace, now, openFactsDatabase, reposOf } from './test-workspace.ts';

let deps: { database: Database; clock: () => Date };

beforeAll(async () => {
  ({ deps } = await openFactsDatabase());
});

afterAll(async () => {
  await deps.database.close();
});

const event = (overrides: Partial<DealEventRecord> = {}): DealEventRecord => ({
  ref: { email: 'ada@acme.com' },
  dealId: 'salesforce:006A',
  kind: 'created',
  occurredAt: new Date('2027-01-10T15:00:00Z'),
  source: 'salesforce',
  ...overrides,
});

const history: DealEventRecord[] = [
  event({
    name: 'Acme platform',
    stage: 'discovery',
    amount: '12000',
    closeDate: '2027-03-31',
    externalId: 'e1',
  }),
  event({
    kind: 'stage-changed',
    stage: 'proposal',
    occurredAt: new Date('2027-01-20T15:00:00Z'),
    externalId: 'e2',
  }),
  event({
    kind: 'amount-changed',
    amount: '15000.50',
    occurredAt: new Date('2027-01-25T15:00:00Z'),
    externalId: 'e3',
  }),
  event({
    kind: 'won',
    reason: 'best fit',
    closeDate: '2027-02-14',
    occurredAt: new Date('2027-02-14T18:00:00Z'),
    externalId: 'e4',
  }),
];

async function dealsOf(workspaceId: string, email = 'ada@acme.com') {
  const contact = await reposOf(deps).contacts.findByIdentity(workspaceId, 'email', email);
  if (!contact) throw new Error(`no contact ${email}`);
  return reposOf(deps).deals.listForContacts(workspaceId, [contact.id]);
}

describe('recordDealEvents', () => {
  test('stores the events and keeps the deal current', async () => {
    const workspaceId = await newWorkspace(deps);
    expect(await recordDealEvents({ workspaceId, records: history }, deps)).toEqual({
      created: 4,
      duplicates: 0,
      rejected: [],
    });
    const deals = await dealsOf(workspaceId);
    expect(deals).toEqual([
      expect.objectContaining({
        workspaceId,
        externalId: 'salesforce:006A',
        name: 'Acme platform',
        stage: 'closed-won',
        status: 'won',
        amount: '15000.50',
        currency: 'USD',
        reason: 'best fit',
        closeDate: '2027-02-14',
        createdAt: new Date('2027-01-10T15:00:00Z'),
        updatedAt: new Date('2027-02-14T18:00:00Z'),
      }),
    ]);
    const deal = deals[0];
    if (!deal) throw new Error('no deal');
    const events = await reposOf(deps).deals.listEvents(workspaceId, [deal.id]);
    expect(events.map((row) => [row.kind, row.recordedAt])).toEqual([
      ['created', now],
      ['stage-changed', now],
      ['amount-changed', now],
      ['won', now],
    ]);
  });

  test('history loaded out of order ends in the same state', async () => {
    const workspaceId = await newWorkspace(deps);
    const [created, staged, amended, won] = history as [
      DealEventRecord,
      DealEventRecord,
      DealEventRecord,
      DealEventRecord,
    ];
    await recordDealEvents({ workspaceId, records: [won] }, deps);
    expect(await dealsOf(workspaceId)).toEqual([
      expect.objectContaining({
        status: 'won',
        name: 'salesforce:006A',
        amount: null,
        closeDate: '2027-02-14',
      }),
    ]);
    await recordDealEvents({ workspaceId, records: [amended, created] }, deps);
    await recordDealEvents({ workspaceId, records: [staged] }, deps);
    const deals = await dealsOf(workspaceId);
    expect(deals).toHaveLength(1);
    expect(deals[0]).toMatchObject({
      name: 'Acme platform',
      stage: 'closed-won',
      status: 'won',
      amount: '15000.50',
      closeDate: '2027-02-14',
      createdAt: new Date('2027-01-10T15:00:00Z'),
    });
  });

  test('a stage change after a loss reopens the deal', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordDealEvents(
      {
        workspaceId,
        records: [
          event({ stage: 'discovery' }),
          event({ kind: 'lost', reason: 'price', occurredAt: new Date('2027-02-01T03:00:00Z') }),
        ],
      },
      deps,
    );
    // No close date given: the day it was lost in the agreement's time zone (New York).
    expect((await dealsOf(workspaceId))[0]).toMatchObject({
      status: 'lost',
      stage: 'closed-lost',
      reason: 'price',
      closeDate: '2027-01-31',
    });
    await recordDealEvents(
      {
        workspaceId,
        records: [
          event({
            kind: 'stage-changed',
            stage: 'negotiation',
            occurredAt: new Date('2027-02-10T12:00:00Z'),
          }),
        ],
      },
      deps,
    );
    expect((await dealsOf(workspaceId))[0]).toMatchObject({
      status: 'open',
      stage: 'negotiation',
      reason: null,
    });
  });

  test('a retried call stores nothing new and leaves one deal', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordDealEvents({ workspaceId, records: history }, deps);
    expect(await recordDealEvents({ workspaceId, records: history }, deps)).toEqual({
      created: 0,
      duplicates: 4,
      rejected: [],
    });
    expect(await dealsOf(workspaceId)).toHaveLength(1);
  });

  test('events of one deal naming different contacts update one deal', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordDealEvents(
      {
        workspaceId,
        records: [
          event({
            kind: 'stage-changed',
            stage: 'proposal',
            ref: { email: 'bo@acme.com' },
            occurredAt: new Date('2027-01-12T00:00:00Z'),
          }),
          event({ name: 'Acme' }),
        ],
      },
      deps,
    );
    const deals = await dealsOf(workspaceId, 'ada@acme.com');
    expect(deals).toEqual([expect.objectContaining({ name: 'Acme', stage: 'proposal' })]);
    expect(await dealsOf(workspaceId, 'bo@acme.com')).toEqual(deals);
  });

  test('finds or creates the account a deal names, and defaults the currency', async () => {
    const workspaceId = await newWorkspace(deps);
    await recordDealEvents(
      {
        workspaceId,
        records: [
          event({
            amount: '900',
            currency: 'eur',
            account: {
              crmId: 'salesforce:001A',
              name: 'Acme',
              domain: 'www.acme.com',
              traits: { tier: 'gold' },
            },
          }),
          event({
            dealId: 'salesforce:006B',
            amount: '100',
            account: { crmId: 'salesforce:001A', traits: {} },
          }),
        ],
      },
      deps,
    );
    const deals = await dealsOf(workspaceId);
    const first = deals.find((deal) => deal.externalId === 'salesforce:006A');
    const second = deals.find((deal) => deal.externalId === 'salesforce:006B');
    expect(first?.currency).toBe('EUR');
    expect(second?.currency).toBe('USD');
    expect(first?.accountId).toBeTruthy();
    expect(second?.accountId).toBe(first?.accountId);
    expect(await reposOf(deps).contactWrites.findAccount(workspaceId, first?.accountId as string)).toEqual({
      id: first?.accountId,
      name: 'Acme',
      domain: 'acme.com',
      externalId: 'salesforce:001A',
      traits: { tier: 'gold' },
    });
  });

  test.each<[string, Partial<DealEventRecord>, string, RegExp]>([
    ['three decimals', { amount: '12.345' }, 'INVALID_AMOUNT', /"12.345" is not an amount/],
    ['a negative amount', { amount: '-5' }, 'INVALID_AMOUNT', /non-negative/],
    ['a two-letter currency', { amount: '5', currency: 'US' }, 'INVALID_CURRENCY', /ISO 4217/],
    [
      'a date that does not exist',
      { closeDate: '2027-02-30' },
      'INVALID_DATE',
      /"2027-02-30" is not a calendar date/,
    ],
    ['a date with a time', { closeDate: '2027-02-03T00:00:00Z' }, 'INVALID_DATE', /YYYY-MM-DD/],
    ['a stage change without stage', { kind: 'stage-changed' }, 'INVALID_FIELD', /needs stage/],
    ['an amount change without amount', { kind: 'amount-changed' }, 'INVALID_FIELD', /needs amount/],
    ['an unknown kind', { kind: 'paused' as 'won' }, 'INVALID_FIELD', /"paused" is not a deal event/],
    ['no deal id', { dealId: ' ' }, 'INVALID_FIELD', /dealId/],
    ['a time in the future', { occurredAt: new Date(now.getTime() + 3_600_000) }, 'INVALID_TIME', /future/],
    ['an account without a name', { account: { traits: {} } }, 'INVALID_FIELD', /crmId, a domain or a name/],
  ])('rejects %s and stores the rest', async (_name, overrides, code, message) => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordDealEvents(
      { workspaceId, records: [event({ dealId: 'ok' }), event(overrides)] },
      deps,
    );
    expect(outcome).toEqual({
      created: 1,
      duplicates: 0,
      rejected: [{ index: 1, code, message: expect.stringMatching(message) }],
    });
    expect(await dealsOf(workspaceId)).toEqual([expect.objectContaining({ externalId: 'ok' })]);
  });
});
