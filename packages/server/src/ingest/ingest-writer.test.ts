import { normalizeSegmentMessage } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../test/test-runtime.ts';
import { createRepositories } from '../repositories/index.ts';
import { eraseContact } from '../use-cases/erase/erase-contact.ts';
import { createWorkspace } from '../use-cases/workspaces/create-workspace.ts';
import { createIngestWriter } from './ingest-writer.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;
let workspaceId: string;

beforeAll(async () => {
  deps = await openTestDeps();
  workspaceId = (await createWorkspace({ name: 'Writer', createdBy: 'test' }, deps)).workspaceId;
});

afterAll(async () => {
  await deps.close();
});

function message(messageId: string, visitor: string) {
  const result = normalizeSegmentMessage(
    { type: 'track', messageId, anonymousId: visitor, event: 'Form Submitted' },
    { receivedAt: new Date('2026-11-23T10:00:00Z') },
  );
  if (!result.ok) throw new Error(result.detail);
  return result.message;
}

describe('createIngestWriter', () => {
  test('stores each message once when concurrent submissions overlap, with several transactions in flight', async () => {
    const writer = createIngestWriter(deps, { concurrency: 2, maxBatchMessages: 7 });
    const submissions = Array.from({ length: 40 }, (_, index) => [
      message(`w-${index}`, `v-${index % 6}`),
      message(`w-${(index + 1) % 40}`, `v-${(index + 1) % 6}`),
    ]);
    const results = await Promise.all(
      submissions.map((messages) => writer.submit({ workspaceId, messages, drops: [] })),
    );
    await writer.close();

    const storedFlags = new Map<string, number>();
    results.forEach((result, index) => {
      result.stored.forEach((stored, position) => {
        const id = submissions[index]?.[position]?.messageId ?? '';
        if (stored) storedFlags.set(id, (storedFlags.get(id) ?? 0) + 1);
      });
    });
    expect([...storedFlags.values()].every((count) => count === 1)).toBe(true);
    expect(storedFlags.size).toBe(40);
    const counted = (await deps.database.db.execute(
      sql`select count(*) as n, count(distinct contact_id) as contacts from activities
          where workspace_id = ${workspaceId}::uuid and message_id like 'w-%'`,
    )) as unknown as { rows: { n: string | number; contacts: string | number }[] };
    expect(Number(counted.rows[0]?.n)).toBe(40);
    expect(Number(counted.rows[0]?.contacts)).toBe(6);
    expect(writer.stats().batches).toBeGreaterThan(1);
  });

  test('refuses submissions beyond its queue with UNAVAILABLE', async () => {
    const writer = createIngestWriter(deps, { maxQueuedMessages: 1 });
    const first = writer.submit({ workspaceId, messages: [message('q-1', 'q')], drops: [] });
    await expect(
      writer.submit({ workspaceId, messages: [message('q-2', 'q')], drops: [] }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await first;
    await writer.close();
  });

  test('after an erasure, a visitor it had cached gets a new contact, not the erased one', async () => {
    const writer = createIngestWriter(deps);
    const contactOf = async (messageId: string) => {
      const found = (await deps.database.db.execute(
        sql`select a.contact_id, (c.id is not null) as contact_exists from activities a
            left join contacts c on c.workspace_id = a.workspace_id and c.id = a.contact_id
            where a.workspace_id = ${workspaceId}::uuid and a.message_id = ${messageId}`,
      )) as unknown as { rows: { contact_id: string; contact_exists: boolean }[] };
      return found.rows[0];
    };
    await writer.submit({ workspaceId, messages: [message('e-1', 'erased-visitor')], drops: [] });
    // A second event while the first contact is cached: the cache path, no lookup.
    await writer.submit({ workspaceId, messages: [message('e-2', 'erased-visitor')], drops: [] });
    const first = await contactOf('e-2');
    expect(first?.contact_exists).toBe(true);

    await eraseContact({ workspaceId, contact: first?.contact_id ?? '', erasedBy: 'test' }, deps);
    await writer.submit({ workspaceId, messages: [message('e-3', 'erased-visitor')], drops: [] });
    await writer.close();

    const after = await contactOf('e-3');
    expect(after?.contact_id).toBeDefined();
    expect(after?.contact_id).not.toBe(first?.contact_id);
    expect(after?.contact_exists).toBe(true);
  });

  test("refreshes the planner's statistics once a new workspace has stored 1,000 messages", async () => {
    const fresh = (await createWorkspace({ name: 'Statistics', createdBy: 'test' }, deps)).workspaceId;
    const ingest = createRepositories(deps.database.db).ingest;
    const writer = createIngestWriter(deps, { maxBatchMessages: 100 });
    for (let start = 0; start < 1_200; start += 100) {
      const messages = Array.from({ length: 100 }, (_, index) =>
        message(`s-${start + index}`, `sv-${index % 50}`),
      );
      await writer.submit({ workspaceId: fresh, messages, drops: [] });
    }
    await writer.close();
    // Without a refresh the planner takes the new workspace for a handful of rows at most.
    const believed = await ingest.estimateWorkspaceMessages(fresh);
    expect(believed).toBeGreaterThanOrEqual(900);
    expect(believed).toBeLessThanOrEqual(1_300);
  });
});
