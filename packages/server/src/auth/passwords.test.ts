import { describe, expect, test } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  test('verifies the password a hash was made from, and no other', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  test('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  test.each([
    ['not a hash'],
    ['scrypt$16384$8$1$$'],
    ['bcrypt$10$abc'],
    ['scrypt$99999999$8$1$c2FsdA$aGFzaA'],
  ])('refuses the malformed hash %s', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  test('generates 20-character passwords that differ', () => {
    const first = generatePassword();
    expect(first).toHaveLength(20);
    expect(generatePassword()).not.toBe(first);
  });
});
