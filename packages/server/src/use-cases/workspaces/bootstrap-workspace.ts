import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import { type CreatedWorkspace, createWorkspaceWith } from './create-workspace.ts';

export type BootstrapResult = { created: false } | ({ created: true } & CreatedWorkspace);

/**
 * On the first start of an empty database, creates the workspace (default agreement as version 1,
 * a first admin key whose token the caller shows once). Does nothing when a workspace exists.
 * Runs under a transaction-scoped lock, so two servers starting together on one PostgreSQL
 * create one workspace.
 */
export async function bootstrapWorkspace(
  options: { name: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<BootstrapResult> {
  return deps.database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('smarketing.bootstrap'))`);
    const repos = createRepositories(tx);
    if ((await repos.workspaces.count()) > 0) return { created: false };
    const created = await createWorkspaceWith(
      { name: options.name, createdBy: 'system (first start)' },
      { repos, clock: deps.clock },
    );
    return { created: true, ...created };
  });
}
