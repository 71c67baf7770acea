import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { isUuid } from '../../repositories/query-helpers.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

export type ErasedContact = {
  /** The contact erased (the survivor of any merges), and every contact merged into it. */
  contactId: string;
  contactIds: string[];
  /** Rows removed per table. */
  removed: Record<string, number>;
};

/** Identity values shorter than this are not searched for in free text (they would match too much). */
const shortestMention = 6;

/**
 * Erases a person on request (GDPR art. 17): the contact (found by id or e-mail, followed to the
 * survivor of any merge) and every contact merged into it, with their identities, logged versions,
 * activities, touches, deals and deal events, feedback, stage transitions, scores, engine state,
 * assignments, SLA clocks, alerts, the notifications (and webhook deliveries) that name them, and
 * dropped events whose excerpt names them: one transaction, holding the workspace's engine and
 * ingest locks, so neither the engine nor the ingestion writer can write about the person half-way.
 * The audit entry holds ids and counts only, never the person's data. Segment messageIds stay in
 * the de-duplication log (they are not personal data), so a retried old message does not bring
 * the person back.
 */
export async function eraseContact(
  options: { workspaceId: string; contact: string; erasedBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<ErasedContact> {
  const reference = options.contact.trim();
  if (reference === '')
    throw new AppError('VALIDATION_FAILED', { message: 'Name the contact by id or e-mail.' });
  return withRepos(deps, async (repos) => {
    await repos.engine.lockEngine(options.workspaceId);
    await repos.ingest.lockWorkspace(options.workspaceId);
    const found = isUuid(reference)
      ? reference.toLowerCase()
      : reference.includes('@')
        ? await repos.erase.findByEmail(options.workspaceId, reference.toLowerCase())
        : undefined;
    const survivor =
      found === undefined ? undefined : await repos.erase.findSurvivor(options.workspaceId, found);
    if (survivor === undefined) {
      throw new AppError('NOT_FOUND', {
        message:
          isUuid(reference) || reference.includes('@')
            ? 'No contact with this id or e-mail in this workspace (already erased?).'
            : `"${reference}" is neither a contact id nor an e-mail address.`,
      });
    }
    const contactIds = await repos.erase.findMergedFamily(options.workspaceId, survivor);
    const values = await repos.erase.listIdentityValues(options.workspaceId, contactIds);
    const mentions = [...contactIds, ...values.filter((value) => value.length >= shortestMention)];
    const tableOrder = (await repos.backup.listTables()).map((table) => table.name);
    const removed = await repos.erase.eraseContacts(options.workspaceId, contactIds, mentions, tableOrder);
    // Engine rounds prepared before the erasure must not write the erased states back.
    await repos.engine.touchCursor(options.workspaceId);
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.erasedBy,
      action: 'contact.erase',
      target: survivor,
      detail: { contactIds, removed },
      at: deps.clock(),
    });
    return { contactId: survivor, contactIds, removed };
  });
}
