import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { signIn } from '../sessions/sign-in.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { createDemoUsers, formatDemoUsers } from './create-demo-users.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => new Date('2026-11-23T12:00:00Z') });
});

afterAll(async () => {
  await deps.close();
});

describe('createDemoUsers', () => {
  test('creates an admin, a manager, a marketer, a user per rep and a viewer, each with its own password', async () => {
    const workspace = await createWorkspace({ name: 'Demo', createdBy: 'test' }, deps);
    const users = await createDemoUsers({ workspaceId: workspace.workspaceId }, deps);

    expect(users.map((user) => [user.role, user.email, user.repId])).toEqual([
      ['admin', 'avery.quinn@demo.example', null],
      ['manager', 'jordan.park@demo.example', null],
      ['marketing', 'morgan.lee@demo.example', null],
      ['sales', 'alex.rivera@demo.example', 'alex'],
      ['sales', 'sam.chen@demo.example', 'sam'],
      ['sales', 'riley.novak@demo.example', 'riley'],
      ['sales', 'taylor.brooks@demo.example', 'taylor'],
      ['sales', 'jamie.ortiz@demo.example', 'jamie'],
      ['viewer', 'vivian.shaw@demo.example', null],
    ]);
    expect(new Set(users.map((user) => user.password)).size).toBe(users.length);

    const alex = users[3];
    if (!alex) throw new Error('no rep user');
    const session = await signIn({ email: alex.email, password: alex.password }, deps);
    expect(session.user).toMatchObject({ role: 'sales', repId: 'alex' });
    await expect(signIn({ email: alex.email, password: users[4]?.password ?? '' }, deps)).rejects.toThrow(
      'wrong',
    );

    const lines = formatDemoUsers(users).join('\n');
    for (const user of users) {
      const line = lines.split('\n').find((candidate) => candidate.includes(user.email));
      expect(line?.split(/\s+/).filter(Boolean).slice(0, 3)).toEqual([user.role, user.email, user.password]);
    }
  }, 30_000);

  test('prints nothing when there are no demo users', () => {
    expect(formatDemoUsers([])).toEqual([]);
  });
});
