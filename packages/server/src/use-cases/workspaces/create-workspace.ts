import { defaultAgreementYaml } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import { applyAgreement } from '../agreements/apply-agreement.ts';
import { createApiKey } from '../api-keys/create-api-key.ts';

export type CreatedWorkspace = {
  workspaceId: string;
  workspaceName: string;
  slug: string;
  /** The first admin key's clear token: shown once, never stored. */
  adminToken: string;
  agreementVersion: number;
};

/**
 * Creates a workspace ready to use: the default agreement applied as version 1 and a first admin
 * key. All in one transaction, so a process killed half-way leaves no workspace without a key.
 */
export async function createWorkspace(
  options: { name: string; slug?: string | undefined; createdBy: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<CreatedWorkspace> {
  return deps.database.db.transaction((tx) =>
    createWorkspaceWith(options, { repos: createRepositories(tx), clock: deps.clock }),
  );
}

/** The same, inside a transaction the caller holds. */
export async function createWorkspaceWith(
  options: { name: string; slug?: string | undefined; createdBy: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<CreatedWorkspace> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new AppError('VALIDATION_FAILED', { message: 'A workspace needs a name of 1 to 200 characters.' });
  }
  const slug = options.slug ?? slugify(name);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/.test(slug)) {
    throw new AppError('VALIDATION_FAILED', {
      message: `"${slug}" is not a valid slug: use 1 to 60 lowercase letters, digits and inner hyphens.`,
    });
  }
  if (await deps.repos.workspaces.findBySlug(slug)) {
    throw new AppError('CONFLICT', { message: `A workspace with the slug "${slug}" already exists.` });
  }

  const createdAt = deps.clock();
  const workspaceId = createUuidV7(createdAt);
  await deps.repos.workspaces.create({ id: workspaceId, slug, name, createdAt });
  const agreement = await applyAgreement(
    { workspaceId, document: defaultAgreementYaml, appliedBy: options.createdBy, note: 'default agreement' },
    deps,
  );
  const key = await createApiKey(
    { workspaceId, name: 'first admin', role: 'admin', createdBy: options.createdBy },
    deps,
  );
  return {
    workspaceId,
    workspaceName: name,
    slug,
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
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug.length > 0 ? slug : 'workspace';
}
