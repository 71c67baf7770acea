import { defaultAgreementYaml } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import { createApiKey } from '../api-keys/create-api-key.ts';
import { applyAgreement } from '../agreements/apply-agreement.ts';

export type BootstrapResult =
  | { created: false }
  | { created: true; workspaceId: string; workspaceName: string; adminToken: string; agreementVersion: number };

/**
 * On the first start of an empty database: creates the workspace, applies the default agreement
 * as version 1 and issues the first admin key, whose token the caller shows once.
 * Does nothing when a workspace already exists. All of it happens in one transaction, under a
 * lock, so two processes starting together on one PostgreSQL create one workspace, and a process
 * killed half-way leaves no workspace without an admin key.
 */
export async function bootstrapWorkspace(
  options: { name: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<BootstrapResult> {
  return deps.database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('smarketing.bootstrap'))`);
    return bootstrapInTransaction(options, { repos: createRepositories(tx), clock: deps.clock });
  });
}

async function bootstrapInTransaction(
  options: { name: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<BootstrapResult> {
  if ((await deps.repos.workspaces.count()) > 0) return { created: false };

  const createdAt = deps.clock();
  const workspaceId = createUuidV7(createdAt);
  await deps.repos.workspaces.create({
    id: workspaceId,
    slug: slugify(options.name),
    name: options.name,
    createdAt,
  });
  const agreement = await applyAgreement(
    { workspaceId, document: defaultAgreementYaml, appliedBy: 'system (first start)', note: 'default agreement' },
    deps,
  );
  const key = await createApiKey(
    { workspaceId, name: 'first admin', role: 'admin', createdBy: 'system (first start)' },
    deps,
  );
  return {
    created: true,
    workspaceId,
    workspaceName: options.name,
    adminToken: key.token,
    agreementVersion: agreement.version,
  };
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug.length > 0 ? slug : 'workspace';
}
