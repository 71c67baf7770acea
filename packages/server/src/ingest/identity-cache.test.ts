import { describe, expect, test } from 'vitest';
import { createIdentityCache } from './identity-cache.ts';

describe('createIdentityCache', () => {
  test('shows staged entries only after commit', () => {
    const cache = createIdentityCache();
    cache.stage('w|anonymous_id:a', 'c1');
    expect(cache.get('w|anonymous_id:a', 0)).toBeUndefined();
    cache.commit(0);
    expect(cache.get('w|anonymous_id:a', 1)).toBe('c1');
  });

  test('forgets what a failed transaction staged', () => {
    const cache = createIdentityCache();
    cache.stage('w|user_id:u', 'ghost');
    cache.discard();
    cache.commit(0);
    expect(cache.get('w|user_id:u', 1)).toBeUndefined();
  });

  test('expires entries after the time to live', () => {
    const cache = createIdentityCache({ ttlMs: 100 });
    cache.stage('k', 'c1');
    cache.commit(1_000);
    expect(cache.get('k', 1_099)).toBe('c1');
    expect(cache.get('k', 1_100)).toBeUndefined();
  });

  test('keeps at most maxEntries, dropping the oldest', () => {
    const cache = createIdentityCache({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) cache.stage(key, `contact-${key}`);
    cache.commit(0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([
      undefined,
      'contact-b',
      'contact-c',
    ]);
  });
});
