import { type AgreementChange, diffAgreements } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { getAgreementVersion } from './get-agreement-version.ts';

/** The changes from one stored version to another, compared on their parsed form. */
export async function diffAgreementVersions(
  options: { workspaceId: string; from: number; to: number | 'current' },
  deps: Pick<Deps, 'repos'>,
): Promise<{ from: number; to: number; changes: AgreementChange[] }> {
  const [from, to] = await Promise.all([
    getAgreementVersion({ workspaceId: options.workspaceId, version: options.from }, deps),
    getAgreementVersion({ workspaceId: options.workspaceId, version: options.to }, deps),
  ]);
  return { from: from.version, to: to.version, changes: diffAgreements(from.agreement, to.agreement) };
}
