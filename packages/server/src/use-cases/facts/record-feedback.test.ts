import type { FeedbackRecord } from '@smarketing/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../db/client.ts';
import { checkFeedbackReason, loadAgreement } from './fact-checks.ts';
import { recordFeedback } from './record-feedback.ts';
import { minutesAgo, newWorkspace, openFactsDatabase, reposOf } from './test-workspace.ts';

let deps: { database: Database; clock: () => Date };

beforeAll(async () => {
  ({ deps } = await openFactsDatabase());
});

afterAll(async () => {
  await deps.database.close();
});

const feedback = (overrides: Partial<FeedbackRecord> = {}): FeedbackRecord => ({
  ref: { email: 'ada@acme.com' },
  repId: 'sam',
  verdict: 'accept',
  occurredAt: minutesAgo(30),
  source: 'api',
  ...overrides,
});

async function feedbackOf(workspaceId: string, email: string) {
  const contact = await reposOf(deps).contacts.findByIdentity(workspaceId, 'email', email);
  return contact ? reposOf(deps).feedback.listForContact(workspaceId, contact.id) : [];
}

describe('recordFeedback', () => {
  test('stores accept, reject and recycle verdicts with reason, rating and comment', async () => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordFeedback(
      {
        workspaceId,
        records: [
          feedback({ rating: 4, comment: 'Good call, budget confirmed.', occurredAt: minutesAgo(30) }),
          feedback({ verdict: 'reject', reason: 'no-budget', rating: 2, occurredAt: minutesAgo(20) }),
          feedback({ verdict: 'recycle', reason: 'not-now', occurredAt: minutesAgo(10), externalId: 'fb-3' }),
        ],
      },
      deps,
    );
    expect(outcome).toEqual({ created: 3, duplicates: 0, rejected: [] });
    expect(await feedbackOf(workspaceId, 'ada@acme.com')).toEqual([
      expect.objectContaining({
        verdict: 'accept',
        reason: null,
        rating: 4,
        comment: 'Good call, budget confirmed.',
      }),
      expect.objectContaining({ verdict: 'reject', reason: 'no-budget', rating: 2, repId: 'sam' }),
      expect.objectContaining({ verdict: 'recycle', reason: 'not-now', rating: null, externalId: 'fb-3' }),
    ]);
  });

  test.each<[string, Partial<FeedbackRecord>, string, RegExp]>([
    [
      'a reject with a recycle reason',
      { verdict: 'reject', reason: 'not-now' },
      'UNKNOWN_REASON',
      /"not-now" is not a reject reason.*valid: spam, duplicate, student, competitor, no-budget, not-icp/,
    ],
    [
      'a recycle with an unknown reason',
      { verdict: 'recycle', reason: 'bored' },
      'UNKNOWN_REASON',
      /valid: not-now, no-response, wrong-contact/,
    ],
    ['an accept with a reason', { reason: 'no-budget' }, 'UNKNOWN_REASON', /accept takes no reason/],
    ['a reject without a reason', { verdict: 'reject' }, 'REASON_REQUIRED', /reject needs a reason/],
    ['a recycle without a reason', { verdict: 'recycle' }, 'REASON_REQUIRED', /recycle needs a reason/],
    ['a rating of 0', { rating: 0 as 1 }, 'INVALID_RATING', /from 1 to 5/],
    ['a rating of 6', { rating: 6 as 1 }, 'INVALID_RATING', /from 1 to 5/],
    ['a rating of 2.5', { rating: 2.5 as 1 }, 'INVALID_RATING', /whole number/],
    ['an unknown rep', { repId: 'nobody' }, 'UNKNOWN_REP', /known reps: alex/],
    ['an unknown verdict', { verdict: 'maybe' as 'accept' }, 'INVALID_FIELD', /verdict "maybe"/],
    ['a time in the future', { occurredAt: minutesAgo(-5) }, 'INVALID_TIME', /future/],
  ])('rejects %s and stores the rest of the call', async (_name, overrides, code, message) => {
    const workspaceId = await newWorkspace(deps);
    const outcome = await recordFeedback({ workspaceId, records: [feedback(overrides), feedback()] }, deps);
    expect(outcome).toEqual({
      created: 1,
      duplicates: 0,
      rejected: [{ index: 0, code, message: expect.stringMatching(message) }],
    });
  });

  test('a reason is optional when no detour requires one', async () => {
    const workspaceId = await newWorkspace(deps);
    const { agreement } = await loadAgreement(reposOf(deps), workspaceId);
    const relaxed = {
      ...agreement,
      detours: agreement.detours.map((detour) => ({ ...detour, reasonRequired: false })),
    };
    expect(checkFeedbackReason(relaxed, 'reject', undefined)).toBeUndefined();
    expect(checkFeedbackReason(agreement, 'reject', undefined)?.code).toBe('REASON_REQUIRED');
  });

  test('a retried call stores nothing twice', async () => {
    const workspaceId = await newWorkspace(deps);
    const records = [
      feedback({ externalId: 'f1' }),
      feedback({ externalId: 'f2', verdict: 'reject', reason: 'spam', ref: { crmId: 'hubspot:51' } }),
    ];
    expect(await recordFeedback({ workspaceId, records }, deps)).toEqual({
      created: 2,
      duplicates: 0,
      rejected: [],
    });
    expect(await recordFeedback({ workspaceId, records }, deps)).toEqual({
      created: 0,
      duplicates: 2,
      rejected: [],
    });
    expect(await feedbackOf(workspaceId, 'ada@acme.com')).toHaveLength(1);
  });
});
