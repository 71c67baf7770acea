import { type Agreement, isRole, type Role, roles } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import {
  generatePassword,
  hashPassword,
  maxPasswordLength,
  minPasswordLength,
} from '../../auth/passwords.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { salesRepIds } from '../facts/fact-checks.ts';
import { withRepos } from '../with-repos.ts';

/** People sign in with these roles; `ingest` is for write-only API keys, never a person. */
export const userRoles = roles.filter((role): role is Exclude<Role, 'ingest'> => role !== 'ingest');
export type UserRole = (typeof userRoles)[number];

export type CreatedUser = {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  repId: string | null;
  createdAt: Date;
  /** The generated password when none was given: returned once, never stored. */
  generatedPassword: string | undefined;
};

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates a dashboard user with a password (the given one, or a generated one returned once),
 * and records it in the audit log in the same transaction. A rep id must name a rep of a sales
 * team in the current agreement: it is the user's queue.
 */
export async function createUser(
  options: {
    workspaceId: string;
    email: string;
    name: string;
    role: string;
    repId?: string | undefined;
    password?: string | undefined;
    createdBy: string;
  },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<CreatedUser> {
  const email = options.email.trim().toLowerCase();
  const name = options.name.trim();
  const repId = options.repId?.trim() || null;
  const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
    new AppError('VALIDATION_FAILED', { message, details: { field, ...details } });
  if (!emailPattern.test(email) || email.length > 320)
    throw invalid('email', `"${options.email}" is not an e-mail address.`);
  if (name.length === 0 || name.length > 200)
    throw invalid('name', 'A user needs a name of 1 to 200 characters.');
  const role = options.role;
  if (!isRole(role) || role === 'ingest')
    throw invalid('role', `Unknown role "${role}"; expected one of ${userRoles.join(', ')}.`, {
      allowed: userRoles,
    });
  const password = options.password ?? generatePassword();
  if (password.length < minPasswordLength || password.length > maxPasswordLength)
    throw invalid('password', `A password needs ${minPasswordLength} to ${maxPasswordLength} characters.`);
  const passwordHash = await hashPassword(password);

  return withRepos(deps, async (repos) => {
    const workspace = await repos.workspaces.find(options.workspaceId);
    if (!workspace)
      throw new AppError('NOT_FOUND', { message: `Workspace ${options.workspaceId} does not exist.` });
    if (repId !== null) {
      const current = await repos.agreementVersions.findLatest(options.workspaceId);
      const reps = current ? salesRepIds(current.parsed as Agreement) : [];
      if (!reps.includes(repId))
        throw invalid(
          'repId',
          `"${repId}" is not a rep of a sales team in the agreement; known reps: ${reps.join(', ')}.`,
          {
            allowed: reps,
          },
        );
    }
    const createdAt = deps.clock();
    const id = createUuidV7(createdAt);
    await repos.users.create({
      workspaceId: options.workspaceId,
      id,
      email,
      name,
      role,
      repId,
      passwordHash,
      createdAt,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.createdBy,
      action: 'user.create',
      target: id,
      detail: { email, name, role, repId },
      at: createdAt,
    });
    return {
      id,
      email,
      name,
      role,
      repId,
      createdAt,
      generatedPassword: options.password === undefined ? password : undefined,
    };
  });
}
