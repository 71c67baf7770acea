import type { Agreement } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

export type AgreementVersion = {
  version: number;
  document: string;
  agreement: Agreement;
  checksum: string;
  appliedBy: string;
  appliedAt: Date;
  note: string | null;
};

/** One stored version, or the current one when `version` is 'current'. Throws NOT_FOUND. */
export async function getAgreementVersion(
  options: { workspaceId: string; version: number | 'current' },
  deps: Pick<Deps, 'repos'>,
): Promise<AgreementVersion> {
  const row =
    options.version === 'current'
      ? await deps.repos.agreementVersions.findLatest(options.workspaceId)
      : await deps.repos.agreementVersions.find(options.workspaceId, options.version);
  if (!row) {
    throw new AppError('NOT_FOUND', {
      message:
        options.version === 'current'
          ? 'No agreement has been applied to this workspace yet.'
          : `Agreement version ${options.version} does not exist in this workspace.`,
      details: { version: options.version },
    });
  }
  return {
    version: row.version,
    document: row.document,
    agreement: row.parsed as Agreement,
    checksum: row.checksum,
    appliedBy: row.appliedBy,
    appliedAt: row.appliedAt,
    note: row.note,
  };
}
