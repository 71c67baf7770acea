import type { Deps } from '../../deps.ts';

export async function listAgreementVersions(options: { workspaceId: string }, deps: Pick<Deps, 'repos'>) {
  return deps.repos.agreementVersions.list(options.workspaceId);
}
