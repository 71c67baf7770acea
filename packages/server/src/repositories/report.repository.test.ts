import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestDatabase, testDatabases } from '../use-cases/notifications/test-databases.ts';
import { rows } from './contact-write.repository.ts';
import { textArray } from './report.repository.ts';

describe.each(testDatabases)('textArray (%s)', (_name, open) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await open();
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  test('passes any strings as a text[] parameter, element for element', async () => {
    const values = [
      'lead',
      'with space',
      'comma,inside',
      '{braces}',
      'quote " inside',
      'back\\slash',
      'trailing\\',
      'NULL',
      '',
      'ünïcödé',
    ];
    const [found] = await rows<{ items: string[]; size: number; second: string }>(
      handle.database.db,
      sql`select array_to_json(${textArray(values)}) as items, cardinality(${textArray(values)}) as size,
                 (${textArray(values)})[2] as second`,
    );
    expect(found?.items).toEqual(values);
    expect(Number(found?.size)).toBe(values.length);
    expect(found?.second).toBe('with space');
  });

  test('an empty list is an empty array', async () => {
    const [found] = await rows<{ size: number | null; hit: boolean | null }>(
      handle.database.db,
      sql`select cardinality(${textArray([])}) as size, 'lead' = any(${textArray([])}) as hit`,
    );
    expect(Number(found?.size)).toBe(0);
    expect(found?.hit).toBe(false);
  });
});
