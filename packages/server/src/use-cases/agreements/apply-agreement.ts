import { createHash } from 'node:crypto';
import { parseAgreement } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

export type AppliedAgreement = {
  version: number;
  checksum: string;
  appliedBy: string;
  appliedAt: Date;
  note: string | null;
  /** True when the document equals the current version: nothing new was stored (a safe retry). */
  unchanged: boolean;
};

const maxDocumentBytes = 512 * 1024;

/**
 * Validates an agreement document and stores it as the workspace's next numbered version.
 * Re-applying the current document stores nothing and answers the current version.
 */
export async function applyAgreement(
  options: { workspaceId: string; document: string; appliedBy: string; note?: string | undefined },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<AppliedAgreement> {
  if (Buffer.byteLength(options.document, 'utf8') > maxDocumentBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', {
      message: `An agreement document may be at most ${maxDocumentBytes} bytes.`,
    });
  }
  const parsed = parseAgreement(options.document);
  if (!parsed.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: `The agreement has ${parsed.issues.length} problem(s); nothing was applied.`,
      details: { issues: parsed.issues },
    });
  }

  const checksum = createHash('sha256').update(options.document, 'utf8').digest('hex');
  return withRepos(deps, (repos) => store(options, parsed.agreement, checksum, { repos, clock: deps.clock }));
}

async function store(
  options: { workspaceId: string; document: string; appliedBy: string; note?: string | undefined },
  agreement: unknown,
  checksum: string,
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<AppliedAgreement> {
  const latest = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (latest && latest.checksum === checksum) {
    return {
      version: latest.version,
      checksum,
      appliedBy: latest.appliedBy,
      appliedAt: latest.appliedAt,
      note: latest.note,
      unchanged: true,
    };
  }

  const stored = await deps.repos.agreementVersions.append({
    workspaceId: options.workspaceId,
    document: options.document,
    parsed: agreement,
    checksum,
    appliedBy: options.appliedBy,
    appliedAt: deps.clock(),
    note: options.note ?? null,
  });
  await recordAudit(deps.repos, {
    workspaceId: options.workspaceId,
    actor: options.appliedBy,
    action: 'agreement.apply',
    target: String(stored.version),
    detail: { version: stored.version, checksum, note: stored.note },
    at: stored.appliedAt,
  });
  return {
    version: stored.version,
    checksum,
    appliedBy: stored.appliedBy,
    appliedAt: stored.appliedAt,
    note: stored.note,
    unchanged: false,
  };
}
