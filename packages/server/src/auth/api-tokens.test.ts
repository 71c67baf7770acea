import { describe, expect, test } from 'vitest';
import { findTokenPrefix, hashToken, issueToken, tokenMatchesHash } from './api-tokens.ts';

describe('issueToken', () => {
  test('issues a token whose prefix and hash match it', () => {
    const issued = issueToken();
    expect(issued.token).toMatch(/^smk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(findTokenPrefix(issued.token)).toBe(issued.prefix);
    expect(issued.hash).toBe(hashToken(issued.token));
    expect(issued.hash).not.toContain(issued.token.slice(18));
  });

  test('never repeats itself', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => issueToken().token));
    expect(tokens.size).toBe(200);
  });
});

describe('tokenMatchesHash', () => {
  test('accepts the issued token and rejects a changed one', () => {
    const issued = issueToken();
    expect(tokenMatchesHash(issued.token, issued.hash)).toBe(true);
    const tampered = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
    expect(tokenMatchesHash(tampered, issued.hash)).toBe(false);
  });

  test('rejects a malformed stored hash without throwing', () => {
    expect(tokenMatchesHash(issueToken().token, 'abc')).toBe(false);
  });
});

describe('findTokenPrefix', () => {
  test.each(['', 'Bearer x', 'smk_short_secret', `smk_ABCDEFGHIJKL_${'a'.repeat(43)}`])(
    'finds no prefix in %j',
    (token) => {
      expect(findTokenPrefix(token)).toBeUndefined();
    },
  );
});
