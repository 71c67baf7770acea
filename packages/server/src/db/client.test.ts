import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { openDatabase, withoutJit } from './client.ts';

describe('an embedded database in a folder', () => {
  test("opens with the page cache asked for, or PGlite's own (128 MB)", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'smarketing-client-'));
    try {
      const shared = async (dataDir: string, sharedBuffersMb?: number) => {
        const database = await openDatabase(
          sharedBuffersMb === undefined ? { dataDir } : { dataDir, sharedBuffersMb },
        );
        try {
          const result = (await database.db.execute(sql`show shared_buffers`)) as unknown as {
            rows: { shared_buffers: string }[];
          };
          return result.rows[0]?.shared_buffers;
        } finally {
          await database.close();
        }
      };
      expect(await shared(join(folder, 'a'), 48)).toBe('48MB');
      expect(await shared(join(folder, 'a'))).toBe('128MB');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

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
