import { type Database, openDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { createRepositories } from '../../repositories/index.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';

/** The fixed "now" of the fact tests. */
export const now = new Date('2027-03-01T12:00:00Z');

/** A migrated in-memory database and the deps the fact use cases take, with a fixed clock. Tests only. */
export async function openFactsDatabase(): Promise<{ deps: { database: Database; clock: () => Date } }> {
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  return { deps: { database, clock: () => now } };
}

let workspaces = 0;

/** A new workspace with the default agreement; answers its id. */
export async function newWorkspace(deps: { database: Database; clock: () => Date }): Promise<string> {
  workspaces += 1;
  const created = await createWorkspace({ name: `Workspace ${workspaces}`, createdBy: 'test' }, deps);
  return created.workspaceId;
}

export function reposOf(deps: { database: Database }) {
  return createRepositories(deps.database.db);
}

/** An instant `minutes` before the tests' "now". */
export function minutesAgo(minutes: number): Date {
  return new Date(now.getTime() - minutes * 60_000);
}
