import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { loadDemo } from './load-demo.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => new Date('2026-11-23T12:00:00Z') });
});

afterAll(async () => {
  await deps.close();
});

async function count(table: 'activities' | 'touches' | 'deal_events' | 'feedback', workspaceId: string) {
  const result = (await deps.database.db.execute(
    sql`select count(*) as n from ${sql.identifier(table)} where workspace_id = ${workspaceId}::uuid`,
  )) as unknown as { rows: { n: string | number }[] };
  return Number(result.rows[0]?.n);
}

describe('loadDemo', () => {
  test('stores a simulated company through the ingestion paths, once even when loaded twice', async () => {
    const workspace = await createWorkspace({ name: 'Demo', createdBy: 'test' }, deps);
    const first = await loadDemo({ workspaceId: workspace.workspaceId, contacts: 60, months: 3 }, deps);
    expect(first.rejected).toBe(0);
    expect(first.stored).toBeGreaterThan(300);
    const activities = await count('activities', workspace.workspaceId);
    const touches = await count('touches', workspace.workspaceId);
    expect(activities).toBeGreaterThan(200);
    expect(touches).toBeGreaterThan(0);
    expect(
      activities +
        touches +
        (await count('deal_events', workspace.workspaceId)) +
        (await count('feedback', workspace.workspaceId)),
    ).toBe(first.stored);

    const again = await loadDemo({ workspaceId: workspace.workspaceId, contacts: 60, months: 3 }, deps);
    expect(again).toMatchObject({ stored: 0, duplicates: first.stored, rejected: 0 });
    expect(await count('activities', workspace.workspaceId)).toBe(activities);
  }, 60_000);
});
