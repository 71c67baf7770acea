import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens look like `smk_<prefix>_<secret>`: the 12-character prefix finds the key and may be
 * shown in lists; the 256-bit secret is shown once and only its SHA-256 is stored. A slow hash
 * (bcrypt, argon2) protects guessable passwords; these secrets are random, so one SHA-256 is
 * as strong and keeps every request cheap.
 */
const tokenPattern = /^smk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const prefixAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export type IssuedToken = { token: string; prefix: string; hash: string };

export function issueToken(): IssuedToken {
  const prefixBytes = randomBytes(12);
  let prefix = '';
  for (const byte of prefixBytes) prefix += prefixAlphabet[byte % prefixAlphabet.length];
  const secret = randomBytes(32).toString('base64url');
  const token = `smk_${prefix}_${secret}`;
  return { token, prefix, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The prefix of a well-formed token, or undefined for anything else (no lookup is made then). */
export function findTokenPrefix(token: string): string | undefined {
  return tokenPattern.exec(token)?.[1];
}

export function tokenMatchesHash(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
