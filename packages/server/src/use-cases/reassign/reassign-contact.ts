import type { Agreement } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { loadAgreement } from '../facts/fact-checks.ts';

export type ReassignResult = {
  reassignmentId: string;
  contactId: string;
  toRepId: string;
  /** The owner the engine had when the reassignment was stored (null: none yet). */
  fromRepId: string | null;
  reason: string | null;
  occurredAt: Date;
  /** True when the idempotency key was already used: nothing new was stored. */
  duplicate: boolean;
};

type SalesRep = { id: string; name: string; teamId: string };

function salesRepsOf(agreement: Agreement): SalesRep[] {
  return agreement.teams
    .filter((team) => team.kind === 'sales')
    .flatMap((team) => team.reps.map((rep) => ({ id: rep.id, name: rep.name, teamId: team.id })));
}

/**
 * A manager gives a lead to another rep by hand. The rep must be a sales rep of the current
 * agreement, the contact one of this workspace and not merged into another. The reassignment is
 * stored as a fact, with its audit entry, in one transaction under the workspace's ingest lock
 * (so its `seq` is in commit order); the engine then moves the owner and restarts a running SLA
 * clock for the new rep. A repeated idempotency key stores nothing and answers the first one.
 */
export async function reassignContact(
  options: {
    workspaceId: string;
    contactId: string;
    repId: string;
    reason?: string | undefined;
    idempotencyKey?: string | undefined;
    actor: string;
  },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<ReassignResult> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.ingest.lockWorkspace(options.workspaceId);
    const { agreement } = await loadAgreement(repos, options.workspaceId);
    const reps = salesRepsOf(agreement);
    if (!reps.some((rep) => rep.id === options.repId)) {
      throw new AppError('VALIDATION_FAILED', {
        message: `"${options.repId}" is not a sales rep of the current agreement; choose one of: ${reps
          .map((rep) => `${rep.id} (${rep.name})`)
          .join(', ')}.`,
        details: { field: 'repId', repId: options.repId, reps },
      });
    }
    const family = await repos.contactWrites.findFamily(options.workspaceId, options.contactId);
    if (family === undefined) {
      throw new AppError('NOT_FOUND', {
        message: `Contact ${options.contactId} does not exist in this workspace.`,
        details: { contactId: options.contactId },
      });
    }
    if (family.survivor !== options.contactId) {
      throw new AppError('CONFLICT', {
        message: `Contact ${options.contactId} was merged into ${family.survivor}; reassign that contact instead.`,
        details: { contactId: options.contactId, mergedInto: family.survivor },
      });
    }
    const reason = options.reason?.trim() || null;
    const key = options.idempotencyKey ?? null;
    if (key !== null) {
      const stored = await repos.reassignments.findByExternalId(options.workspaceId, family.survivor, key);
      if (stored) return { ...resultOf(stored, null), duplicate: true };
    }
    const fromRepId = (await repos.engine.findState(options.workspaceId, family.survivor))?.state.owner
      ?.repId;
    const inserted = await repos.reassignments.insertIfNew({
      workspaceId: options.workspaceId,
      contactId: family.survivor,
      id: createUuidV7(now),
      toRepId: options.repId,
      actor: options.actor,
      reason,
      occurredAt: now,
      recordedAt: now,
      externalId: key,
    });
    if (!inserted) {
      // Only a concurrent call with the same key can get here (the lock makes it rare): answer it.
      const stored =
        key === null
          ? undefined
          : await repos.reassignments.findByExternalId(options.workspaceId, family.survivor, key);
      if (!stored) throw new Error('A reassignment without an idempotency key conflicted with a stored one.');
      return { ...resultOf(stored, null), duplicate: true };
    }
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.actor,
      action: 'contact.reassign',
      target: family.survivor,
      detail: { reassignmentId: inserted.id, fromRepId: fromRepId ?? null, toRepId: options.repId, reason },
      at: now,
    });
    return { ...resultOf(inserted, fromRepId ?? null), duplicate: false };
  });
}

function resultOf(
  row: { id: string; contactId: string; toRepId: string; reason: string | null; occurredAt: Date },
  fromRepId: string | null,
) {
  return {
    reassignmentId: row.id,
    contactId: row.contactId,
    toRepId: row.toRepId,
    fromRepId,
    reason: row.reason,
    occurredAt: row.occurredAt,
  };
}
