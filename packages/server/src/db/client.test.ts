import { describe, expect, test } from 'vitest';
import { withoutJit } from './client.ts';

describe('withoutJit: the pool connects with JIT compilation off', () => {
  test('a connection string without startup options gets the option', () => {
    expect(withoutJit('postgres://app:secret@db.internal:5432/smarketing')).toEqual({
      connectionString: 'postgres://app:secret@db.internal:5432/smarketing',
      options: '-c jit=off',
    });
  });

  test("the connection string's own startup options come after it, so they win", () => {
    const { connectionString, options } = withoutJit(
      'postgres://app:secret@db.internal/smarketing?options=-c%20jit%3Don&sslmode=require',
    );
    expect(options).toBeUndefined();
    const url = new URL(connectionString);
    expect(url.searchParams.get('options')).toBe('-c jit=off -c jit=on');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.password).toBe('secret');
  });

  test('a string that is not a URL is passed on as it is, with the option beside it', () => {
    expect(withoutJit('/var/run/postgresql smarketing')).toEqual({
      connectionString: '/var/run/postgresql smarketing',
      options: '-c jit=off',
    });
  });
});
