import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { listAnnouncements } from '../announcements/list-announcements.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { createDemoAnnouncements } from './create-demo-announcements.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => new Date('2026-11-23T12:00:00Z') });
});

afterAll(async () => {
  await deps.close();
});

describe('createDemoAnnouncements', () => {
  test('publishes one announcement of each kind around now, listed oldest first', async () => {
    const workspace = await createWorkspace({ name: 'Demo', createdBy: 'test' }, deps);
    await createDemoAnnouncements({ workspaceId: workspace.workspaceId }, deps);
    const listed = await listAnnouncements({ workspaceId: workspace.workspaceId }, deps);
    expect(listed.map((announcement) => [announcement.kind, announcement.effectiveAt.toISOString()])).toEqual(
      [
        ['product', '2026-11-14T12:00:00.000Z'],
        ['campaign', '2026-11-21T12:00:00.000Z'],
        ['promotion', '2026-11-26T12:00:00.000Z'],
        ['event', '2026-12-03T12:00:00.000Z'],
      ],
    );
    expect(listed.every((announcement) => announcement.createdBy === 'system (demo)')).toBe(true);
  }, 30_000);
});
