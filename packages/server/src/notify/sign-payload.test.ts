import { describe, expect, test } from 'vitest';
import { signPayload, verifySignature } from './sign-payload.ts';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ id: 'n1', kind: 'hot-lead-routed', data: { contact: { name: 'Dana Smith' } } });
const sentAt = new Date('2026-11-24T20:00:00.000Z');
const seconds = (count: number) => new Date(sentAt.getTime() + count * 1000);

describe('signPayload', () => {
  test('writes the unix timestamp and the hex HMAC-SHA256 of "<t>.<body>"', () => {
    // echo -n '1795550400.{"a":1}' | openssl dgst -sha256 -hmac k
    expect(signPayload({ secret: 'k', body: '{"a":1}', now: sentAt })).toBe(
      't=1795550400,v1=884119a2758618855703f7ac8927d7c1d98ba6e8ababbdd0882d8b3782ea1a2e',
    );
  });
});

describe('verifySignature', () => {
  const header = signPayload({ secret, body, now: sentAt });

  test('accepts what signPayload signed, within the tolerance either way', () => {
    for (const now of [sentAt, seconds(299), seconds(-299)]) {
      expect(verifySignature({ header, body, secret, now })).toEqual({ ok: true, timestamp: 1_795_550_400 });
    }
  });

  test.each([
    ['a tampered body', { body: body.replace('Dana', 'Dina') }, 'SIGNATURE_MISMATCH'],
    ['another secret', { secret: 'whsec_other' }, 'SIGNATURE_MISMATCH'],
    ['a replay after the tolerance', { now: seconds(301) }, 'TIMESTAMP_OUT_OF_TOLERANCE'],
    ['a narrower tolerance', { now: seconds(31), toleranceSeconds: 30 }, 'TIMESTAMP_OUT_OF_TOLERANCE'],
    ['a changed timestamp', { header: header.replace('t=1795550400', 't=1795550401') }, 'SIGNATURE_MISMATCH'],
    ['a missing header', { header: undefined }, 'MALFORMED'],
    ['a header without v1', { header: 't=1795550400' }, 'MALFORMED'],
    ['a header with a short v1', { header: 't=1795550400,v1=abc' }, 'MALFORMED'],
  ])('refuses %s', (_case, change, reason) => {
    expect(verifySignature({ header, body, secret, now: sentAt, ...change })).toEqual({ ok: false, reason });
  });

  test('accepts any of several v1 values (secret rotation)', () => {
    const other = signPayload({ secret: 'whsec_old', body, now: sentAt }).split(',')[1];
    expect(verifySignature({ header: `${header},${other}`, body, secret, now: sentAt }).ok).toBe(true);
    expect(verifySignature({ header: `${header},${other}`, body, secret: 'whsec_old', now: sentAt }).ok).toBe(
      true,
    );
  });
});
