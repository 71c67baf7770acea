import { isRole, type Role, roles } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { issueToken } from '../../auth/api-tokens.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

export type CreatedApiKey = {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  /** The clear token: returned once, never stored. */
  token: string;
};

export async function createApiKey(
  options: { workspaceId: string; name: string; role: string; createdBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<CreatedApiKey> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'An API key needs a name of 1 to 100 characters.',
      details: { field: 'name' },
    });
  }
  if (!isRole(options.role)) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Unknown role "${options.role}"; expected one of ${roles.join(', ')}.`,
      details: { field: 'role', allowed: roles },
    });
  }
  const role = options.role;
  return withRepos(deps, async (repos) => {
    const workspace = await repos.workspaces.find(options.workspaceId);
    if (!workspace) {
      throw new AppError('NOT_FOUND', { message: `Workspace ${options.workspaceId} does not exist.` });
    }

    const createdAt = deps.clock();
    const issued = issueToken();
    const id = createUuidV7(createdAt);
    await repos.apiKeys.create({
      workspaceId: options.workspaceId,
      id,
      name,
      role: options.role,
      prefix: issued.prefix,
      hash: issued.hash,
      createdAt,
      createdBy: options.createdBy,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.createdBy,
      action: 'api-key.create',
      target: id,
      detail: { name, role, prefix: issued.prefix },
      at: createdAt,
    });
    return { id, name, role, prefix: issued.prefix, createdAt, token: issued.token };
  });
}
