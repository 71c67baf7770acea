import { describe, expect, test } from 'vitest';
import { createIdentityCache } from './identity-cache.ts';

describe('createIdentityCache', () => {
  test('shows what a transaction staged to others only after it commits', () => {
    const cache = createIdentityCache();
    const tx = cache.transaction();
    tx.stage('w|anonymous_id:a', 'c1');
    expect(tx.get('w|anonymous_id:a', 0)).toBe('c1');
    expect(cache.get('w|anonymous_id:a', 0)).toBeUndefined();
    tx.commit(0);
    expect(cache.get('w|anonymous_id:a', 1)).toBe('c1');
  });

  test('forgets what a failed transaction staged, without touching a concurrent one', () => {
    const cache = createIdentityCache();
    const failed = cache.transaction();
    const other = cache.transaction();
    failed.stage('w|user_id:u', 'ghost');
    other.stage('w|user_id:v', 'c2');
    failed.discard();
    other.commit(0);
    expect(cache.get('w|user_id:u', 1)).toBeUndefined();
    expect(cache.get('w|user_id:v', 1)).toBe('c2');
  });

  test('expires entries after the time to live', () => {
    const cache = createIdentityCache({ ttlMs: 100 });
    const tx = cache.transaction();
    tx.stage('k', 'c1');
    tx.commit(1_000);
    expect(cache.get('k', 1_099)).toBe('c1');
    expect(cache.get('k', 1_100)).toBeUndefined();
  });

  test('keeps at most maxEntries, dropping the oldest', () => {
    const cache = createIdentityCache({ maxEntries: 2 });
    const tx = cache.transaction();
    for (const key of ['a', 'b', 'c']) tx.stage(key, `contact-${key}`);
    tx.commit(0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([
      undefined,
      'contact-b',
      'contact-c',
    ]);
  });
});
