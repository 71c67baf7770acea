import { describe, expect, test } from 'vitest';
import { type Identity, type IdentityPlanItem, identityKey, planIdentities } from './identity-plan.ts';

const email = (value: string): Identity => ({ kind: 'email', value });
const user = (value: string): Identity => ({ kind: 'user_id', value });
const anon = (value: string): Identity => ({ kind: 'anonymous_id', value });

function ids() {
  let next = 0;
  return () => `c${String(++next).padStart(3, '0')}`;
}

function plan(items: IdentityPlanItem[], existing: [Identity, string][] = []) {
  return planIdentities(items, new Map(existing.map(([identity, id]) => [identityKey(identity), id])), ids());
}

describe('planIdentities', () => {
  test('creates one contact for an unknown identity and links it', () => {
    expect(plan([{ identities: [anon('a1')] }])).toEqual({
      contactIds: ['c001'],
      newContactIds: ['c001'],
      newLinks: [{ identity: anon('a1'), contactId: 'c001' }],
      merges: [],
    });
  });

  test('finds the existing contact and adds only the new identity', () => {
    const result = plan([{ identities: [anon('a1'), user('u1')] }], [[anon('a1'), 'x100']]);
    expect(result.contactIds).toEqual(['x100']);
    expect(result.newContactIds).toEqual([]);
    expect(result.newLinks).toEqual([{ identity: user('u1'), contactId: 'x100' }]);
  });

  test('merges two known contacts into the older one', () => {
    const result = plan(
      [{ identities: [user('u1'), anon('a9')] }],
      [
        [user('u1'), 'x200'],
        [anon('a9'), 'x100'],
      ],
    );
    expect(result.contactIds).toEqual(['x100']);
    expect(result.merges).toEqual([{ from: 'x200', into: 'x100' }]);
    expect(result.newLinks).toEqual([]);
  });

  test('follows identities within one batch: anonymous browsing, then identify', () => {
    const result = plan([
      { identities: [anon('a1')] },
      { identities: [anon('a1')] },
      { identities: [anon('a1'), user('u1'), email('ana@acme.com')] },
      { identities: [user('u1')] },
    ]);
    expect(result.contactIds).toEqual(['c001', 'c001', 'c001', 'c001']);
    expect(result.newContactIds).toEqual(['c001']);
    expect(result.newLinks.map((link) => link.identity)).toEqual([
      anon('a1'),
      user('u1'),
      email('ana@acme.com'),
    ]);
  });

  test('re-points earlier items of the batch when a later one merges their contacts', () => {
    const result = plan([
      { identities: [anon('a1')] },
      { identities: [user('u1')] },
      { identities: [anon('a1'), user('u1')] },
    ]);
    expect(result.contactIds).toEqual(['c001', 'c001', 'c001']);
    expect(result.newContactIds).toEqual(['c001']);
    expect(result.merges).toEqual([]);
    expect(result.newLinks).toEqual([
      { identity: anon('a1'), contactId: 'c001' },
      { identity: user('u1'), contactId: 'c001' },
    ]);
  });

  test('merges through chains: a merged contact merged again lands on the first survivor', () => {
    const result = plan(
      [{ identities: [user('u2'), user('u3')] }, { identities: [user('u1'), user('u3')] }],
      [
        [user('u1'), 'x100'],
        [user('u2'), 'x200'],
        [user('u3'), 'x300'],
      ],
    );
    expect(result.contactIds).toEqual(['x100', 'x100']);
    expect(result.merges).toEqual([
      { from: 'x300', into: 'x100' },
      { from: 'x200', into: 'x100' },
    ]);
  });

  test('looks up alias previous ids without linking them when unknown', () => {
    const known = plan(
      [{ identities: [user('u1')], lookupOnly: [user('old'), anon('old')] }],
      [[anon('old'), 'x100']],
    );
    expect(known.contactIds).toEqual(['x100']);
    expect(known.newLinks).toEqual([{ identity: user('u1'), contactId: 'x100' }]);
    const unknown = plan([{ identities: [user('u1')], lookupOnly: [user('zz')] }]);
    expect(unknown.newLinks).toEqual([{ identity: user('u1'), contactId: 'c001' }]);
  });
});
