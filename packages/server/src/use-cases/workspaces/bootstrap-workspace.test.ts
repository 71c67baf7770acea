import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTokenPrefix } from '../../auth/api-tokens.ts';
import type { Database } from '../../db/client.ts';
import { openDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { createRepositories } from '../../repositories/index.ts';
import { bootstrapWorkspace } from './bootstrap-workspace.ts';
import { slugify } from './create-workspace.ts';

let database: Database;
const clock = () => new Date('2026-11-23T09:00:00Z');

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  await migrateDatabase(database);
});

afterAll(async () => {
  await database.close();
});

describe('bootstrapWorkspace', () => {
  test('creates one workspace, agreement version 1 and an admin key, even when started twice at once', async () => {
    const results = await Promise.all([
      bootstrapWorkspace({ name: 'Acme Inc.' }, { database, clock }),
      bootstrapWorkspace({ name: 'Acme Inc.' }, { database, clock }),
    ]);
    const created = results.filter((result) => result.created);
    expect(created).toHaveLength(1);

    const repos = createRepositories(database.db);
    const [workspace] = await repos.workspaces.list();
    expect(await repos.workspaces.count()).toBe(1);
    expect(workspace).toMatchObject({ slug: 'acme-inc', name: 'Acme Inc.' });
    if (!workspace) throw new Error('no workspace');

    const versions = await repos.agreementVersions.list(workspace.id);
    expect(versions).toEqual([expect.objectContaining({ version: 1, appliedBy: 'system (first start)' })]);

    const first = created[0];
    if (!first?.created) throw new Error('unreachable');
    const prefix = findTokenPrefix(first.adminToken);
    if (!prefix) throw new Error('malformed token');
    const key = await repos.apiKeys.findByPrefix(prefix);
    expect(key).toMatchObject({ role: 'admin', workspaceId: workspace.id });
    expect(key?.hash).not.toContain(first.adminToken);
  });

  test('does nothing once a workspace exists', async () => {
    expect(await bootstrapWorkspace({ name: 'Other' }, { database, clock })).toEqual({ created: false });
  });
});

describe('slugify', () => {
  test.each([
    ['Acme Inc.', 'acme-inc'],
    ['  Ünïcode Café GmbH ', 'unicode-cafe-gmbh'],
    ['株式会社', 'workspace'],
    ['a'.repeat(80), 'a'.repeat(60)],
  ])('turns %j into %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});
