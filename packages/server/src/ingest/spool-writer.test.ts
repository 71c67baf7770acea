import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeSegmentMessage } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../test/test-runtime.ts';
import { createWorkspace } from '../use-cases/workspaces/create-workspace.ts';
import { createSpoolWriter } from './spool-writer.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;
let workspaceId: string;
let folder: string;

beforeAll(async () => {
  deps = await openTestDeps();
  workspaceId = (await createWorkspace({ name: 'Spool', createdBy: 'test' }, deps)).workspaceId;
  folder = await mkdtemp(join(tmpdir(), 'smarketing-spool-'));
});

afterAll(async () => {
  await deps.close();
  await rm(folder, { recursive: true, force: true });
});

function message(messageId: string) {
  const result = normalizeSegmentMessage(
    { type: 'track', messageId, anonymousId: `visitor-${messageId}`, event: 'Demo Requested' },
    { receivedAt: new Date('2026-11-23T10:00:00Z') },
  );
  if (!result.ok) throw new Error(result.detail);
  return result.message;
}

async function stored(prefix: string): Promise<number> {
  const result = (await deps.database.db.execute(
    sql`select count(*) as n from activities where workspace_id = ${workspaceId}::uuid and message_id like ${`${prefix}%`}`,
  )) as unknown as { rows: { n: string | number }[] };
  return Number(result.rows[0]?.n);
}

describe('createSpoolWriter', () => {
  test('acknowledges after the spool append, then loads into the database once', async () => {
    const dir = join(folder, 'a');
    const writer = await createSpoolWriter(deps, { dir });
    const first = await writer.submit({ workspaceId, messages: [message('a-1'), message('a-2')], drops: [] });
    expect(first.stored).toEqual([true, true]);
    const retry = await writer.submit({ workspaceId, messages: [message('a-2'), message('a-3')], drops: [] });
    expect(retry.stored).toEqual([false, true]);
    await writer.caughtUp();
    expect(await stored('a-')).toBe(3);
    await writer.close();
  });

  test('resumes after a crash where the last commit left off, skipping a line cut short', async () => {
    const dir = join(folder, 'b');
    // A spool a crashed process left: two whole lines and a third cut in the middle.
    const writer = await createSpoolWriter(deps, { dir });
    await writer.close();
    const line = (id: string) => JSON.stringify({ w: workspaceId, m: [message(id)], d: [] });
    await writeFile(
      join(dir, 'segment-000000009.ndjson'),
      `${line('b-1')}\n${line('b-2')}\n${line('b-3').slice(0, 40)}`,
    );

    const restarted = await createSpoolWriter(deps, { dir });
    await restarted.caughtUp();
    expect(await stored('b-')).toBe(2);
    await restarted.submit({ workspaceId, messages: [message('b-4')], drops: [] });
    await restarted.close();
    expect(await stored('b-')).toBe(3);
    expect((await readdir(dir)).filter((name) => name.startsWith('segment-000000009'))).toEqual([]);

    // Starting again loads nothing twice.
    const again = await createSpoolWriter(deps, { dir });
    await again.caughtUp();
    await again.close();
    expect(await stored('b-')).toBe(3);
  });

  test('refuses new events with UNAVAILABLE when the backlog is over its limit', async () => {
    const writer = await createSpoolWriter(deps, { dir: join(folder, 'c'), maxBacklogBytes: 0 });
    await writer.submit({ workspaceId, messages: [message('c-1')], drops: [] });
    await expect(writer.submit({ workspaceId, messages: [message('c-2')], drops: [] })).rejects.toMatchObject(
      {
        code: 'UNAVAILABLE',
      },
    );
    await writer.close();
    expect(await stored('c-')).toBe(1);
  });
});

describe('createSpoolWriter on another database', () => {
  test("refuses a spool holding another database's events", async () => {
    const dir = join(folder, 'd');
    const writer = await createSpoolWriter(deps, { dir });
    await writer.close();
    await writeFile(
      join(dir, 'segment-000000042.ndjson'),
      `${JSON.stringify({ w: workspaceId, m: [message('d-1')], d: [] })}\n`,
    );
    const other = await openTestDeps();
    try {
      await expect(createSpoolWriter(other, { dir })).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await other.close();
    }
  });
});
