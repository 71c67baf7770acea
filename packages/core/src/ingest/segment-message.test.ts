import { describe, expect, test } from 'vitest';
import { type DropReason, maxMessageBytes, normalizeSegmentMessage } from './segment-message.ts';

const receivedAt = new Date('2026-11-23T10:00:00.000Z');

function normalize(raw: unknown, extra: Partial<Parameters<typeof normalizeSegmentMessage>[1]> = {}) {
  return normalizeSegmentMessage(raw, { receivedAt, ...extra });
}

describe('normalizeSegmentMessage', () => {
  test('keeps a well-formed track call', () => {
    const result = normalize({
      type: 'track',
      messageId: 'm-1',
      anonymousId: 'anon-1',
      event: 'Demo Requested',
      properties: { plan: 'pro' },
      context: { ip: '203.0.113.9', campaign: { source: 'google', medium: 'cpc' } },
      timestamp: '2026-11-23T09:59:00.000Z',
    });
    expect(result).toMatchObject({
      ok: true,
      message: {
        type: 'track',
        messageId: 'm-1',
        anonymousId: 'anon-1',
        event: 'Demo Requested',
        properties: { plan: 'pro' },
        context: { ip: '203.0.113.9', campaign: { source: 'google', medium: 'cpc' } },
        occurredAt: new Date('2026-11-23T09:59:00.000Z'),
      },
    });
  });

  test.each<[string, unknown, DropReason]>([
    ['a string', 'hello', 'not-an-object'],
    ['an array', [1, 2], 'not-an-object'],
    ['an unknown type', { type: 'purchase', userId: 'u' }, 'unknown-type'],
    ['no type at all', { userId: 'u', event: 'x' }, 'unknown-type'],
    ['no identity', { type: 'track', event: 'x' }, 'missing-identity'],
    ['an alias without previousId', { type: 'alias', userId: 'u' }, 'missing-identity'],
    ['a track without event', { type: 'track', userId: 'u' }, 'missing-field'],
    ['a blank event', { type: 'track', userId: 'u', event: '  ' }, 'missing-field'],
    ['a group without groupId', { type: 'group', userId: 'u' }, 'missing-field'],
    ['an object userId', { type: 'track', userId: { id: 1 }, event: 'x' }, 'invalid-field'],
    ['array properties', { type: 'track', userId: 'u', event: 'x', properties: [1] }, 'invalid-field'],
    ['an over-long userId', { type: 'track', userId: 'u'.repeat(300), event: 'x' }, 'invalid-field'],
    ['an empty messageId', { type: 'track', userId: 'u', event: 'x', messageId: 5 }, 'invalid-field'],
    [
      'a malformed timestamp',
      { type: 'track', userId: 'u', event: 'x', timestamp: 'yesterday' },
      'invalid-timestamp',
    ],
    [
      'a timestamp in 1970',
      { type: 'track', userId: 'u', event: 'x', timestamp: '1970-01-01T00:00:00Z' },
      'invalid-timestamp',
    ],
    [
      'an impossible date',
      { type: 'track', userId: 'u', event: 'x', timestamp: '2026-13-45T00:00:00Z' },
      'invalid-timestamp',
    ],
    [
      'a malformed sentAt',
      { type: 'track', userId: 'u', event: 'x', timestamp: '2026-11-23T09:00:00Z', sentAt: 'now' },
      'invalid-timestamp',
    ],
    [
      'a message over 32 KB',
      { type: 'track', userId: 'u', event: 'x', properties: { blob: 'x'.repeat(maxMessageBytes) } },
      'too-large',
    ],
  ])('drops %s', (_label, raw, reason) => {
    const result = normalize(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.detail.length).toBeGreaterThan(10);
    }
  });

  test('drops a message nested deeper than the limit without walking it recursively', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    const result = normalize({ type: 'track', userId: 'u', event: 'x', properties: { deep } });
    expect(result).toMatchObject({ ok: false, reason: 'invalid-field' });
    let shallow: unknown = 1;
    for (let level = 0; level < 60; level++) shallow = { a: shallow };
    expect(normalize({ type: 'track', userId: 'u', event: 'x', properties: { shallow } }).ok).toBe(true);
  });

  test('takes the type from the endpoint when the message has none', () => {
    expect(normalize({ userId: 'u', event: 'x' }, { impliedType: 'track' }).ok).toBe(true);
  });

  test('accepts numeric ids as their decimal text', () => {
    const result = normalize({ type: 'identify', userId: 42 });
    expect(result.ok && result.message.userId).toBe('42');
  });

  test('corrects a client clock that is two hours fast', () => {
    const result = normalize({
      type: 'track',
      userId: 'u',
      event: 'x',
      timestamp: '2026-11-23T11:58:00.000Z',
      sentAt: '2026-11-23T12:00:00.000Z',
    });
    expect(result.ok && result.message.occurredAt.toISOString()).toBe('2026-11-23T09:58:00.000Z');
  });

  test('uses the batch sentAt when the message has none, and ignores sub-second network delay', () => {
    const skewed = normalize(
      { type: 'track', userId: 'u', event: 'x', timestamp: '2026-11-23T09:00:00.000Z' },
      { batchSentAt: '2026-11-23T09:30:00.000Z' },
    );
    expect(skewed.ok && skewed.message.occurredAt.toISOString()).toBe('2026-11-23T09:30:00.000Z');
    const onTime = normalize(
      { type: 'track', userId: 'u', event: 'x', timestamp: '2026-11-23T09:59:59.000Z' },
      { batchSentAt: '2026-11-23T09:59:59.600Z' },
    );
    expect(onTime.ok && onTime.message.occurredAt.toISOString()).toBe('2026-11-23T09:59:59.000Z');
  });

  test('keeps a historical timestamp sent without sentAt', () => {
    const result = normalize({ type: 'track', userId: 'u', event: 'x', timestamp: '2025-01-15T08:00:00Z' });
    expect(result.ok && result.message.occurredAt.toISOString()).toBe('2025-01-15T08:00:00.000Z');
  });

  test('replaces a time in the future with the time of receipt', () => {
    const result = normalize({ type: 'track', userId: 'u', event: 'x', timestamp: '2027-06-01T00:00:00Z' });
    expect(result.ok && result.message.occurredAt).toEqual(receivedAt);
  });

  test('uses the time of receipt when nothing is stamped', () => {
    const result = normalize({ type: 'track', userId: 'u', event: 'x' });
    expect(result.ok && result.message.occurredAt).toEqual(receivedAt);
  });

  test('finds the e-mail in traits, context traits or properties', () => {
    const fromTraits = normalize({ type: 'identify', userId: 'u', traits: { email: ' Ana@Acme.COM ' } });
    expect(fromTraits.ok && fromTraits.message.email).toBe('ana@acme.com');
    const fromContext = normalize({
      type: 'track',
      userId: 'u',
      event: 'x',
      context: { traits: { email: 'bo@x.io' } },
    });
    expect(fromContext.ok && fromContext.message.email).toBe('bo@x.io');
    const invalid = normalize({ type: 'identify', userId: 'u', traits: { email: 'not an email' } });
    expect(invalid.ok && invalid.message.email).toBeUndefined();
  });

  test.each([
    [{ properties: { path: '/pricing?plan=pro' } }, '/pricing'],
    [{ context: { page: { path: '/blog/post' } } }, '/blog/post'],
    [{ properties: { url: 'https://acme.com/careers/42#apply' } }, '/careers/42'],
    [{ properties: { url: 'https://acme.com' } }, '/'],
    [{}, undefined],
  ])('finds the page path in %j', (fields, path) => {
    const result = normalize({ type: 'page', anonymousId: 'a', ...fields });
    expect(result.ok && result.message.path).toBe(path);
  });

  test('derives the same message id for the same message sent twice without one', () => {
    const raw = {
      type: 'track',
      userId: 'u',
      event: 'x',
      timestamp: '2026-11-23T09:00:00Z',
      properties: { a: 1 },
    };
    const first = normalize(raw, { batchSentAt: '2026-11-23T09:00:05Z' });
    const retry = normalize(raw, {
      batchSentAt: '2026-11-23T09:07:00Z',
      receivedAt: new Date('2026-11-23T10:07:00Z'),
    });
    expect(first.ok && first.message.messageId).toMatch(/^derived-[0-9a-f]{16}$/);
    expect(first.ok && retry.ok && first.message.messageId === retry.message.messageId).toBe(true);
  });

  test('strips prototype-polluting keys at every depth', () => {
    const raw = JSON.parse(
      '{"type":"track","userId":"u","event":"x","properties":{"__proto__":{"admin":true},"nested":{"constructor":1,"ok":2}}}',
    );
    const result = normalize(raw);
    expect(result.ok && result.message.properties).toEqual({ nested: { ok: 2 } });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test('merges the batch context under the message context', () => {
    const result = normalize(
      { type: 'track', userId: 'u', event: 'x', context: { ip: '1.1.1.1' } },
      { batchContext: { ip: '9.9.9.9', library: { name: 'analytics-python' } } },
    );
    expect(result.ok && result.message.context).toEqual({
      ip: '1.1.1.1',
      library: { name: 'analytics-python' },
    });
  });
});
