import { type Agreement, allowedMoves, planManualMove } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import { recordAudit } from '../audit/record-audit.ts';

export type MoveStageResult = {
  transitionId: string;
  contactId: string;
  from: string;
  to: string;
  occurredAt: Date;
  agreementVersion: number;
};

/**
 * A person moves a lead by hand (a correction, a detour with its reason): checked against the
 * agreement's moves from where the engine has the contact, then stored as a transition fact with
 * `cause: person`, which the engine follows like any fact. An illegal move is refused with the
 * moves that are allowed; the engine must have seen the contact (it knows its stage).
 */
export async function moveStage(
  options: { workspaceId: string; contactId: string; to: string; reason?: string; actor: string },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<MoveStageResult> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.ingest.lockWorkspace(options.workspaceId);
    const family = await repos.contactWrites.findFamily(options.workspaceId, options.contactId);
    if (family === undefined) {
      throw new AppError('NOT_FOUND', {
        message: `Contact ${options.contactId} does not exist in this workspace.`,
        details: { contactId: options.contactId },
      });
    }
    const stored = await repos.engine.findState(options.workspaceId, family.survivor);
    const latest = await repos.agreementVersions.findLatest(options.workspaceId);
    if (stored === undefined || latest === undefined || !stored.state.started) {
      throw new AppError('CONFLICT', {
        message: `The engine has not placed contact ${family.survivor} in the funnel yet; try again once its facts are processed.`,
      });
    }
    const agreement = latest.parsed as Agreement;
    const planned = planManualMove(agreement, stored.state.position, options.to, {
      at: now.getTime(),
      cause: 'person',
      actor: options.actor,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    });
    if (!planned.ok) {
      throw new AppError(planned.refusal.code === 'UNKNOWN_STAGE' ? 'VALIDATION_FAILED' : 'CONFLICT', {
        message: planned.refusal.message,
        details: {
          code: planned.refusal.code,
          stage: stored.state.position.stage,
          allowed: allowedMoves(agreement, stored.state.position),
        },
      });
    }
    const transitionId = createUuidV7(now);
    await repos.transitions.append({
      workspaceId: options.workspaceId,
      contactId: family.survivor,
      id: transitionId,
      fromStage: stored.state.position.stage,
      toStage: options.to,
      occurredAt: now,
      recordedAt: now,
      cause: 'person',
      actor: options.actor,
      reason: options.reason ?? null,
      agreementVersion: latest.version,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.actor,
      action: 'contact.move-stage',
      target: family.survivor,
      detail: {
        from: stored.state.position.stage,
        to: options.to,
        reason: options.reason ?? null,
        transitionId,
      },
      at: now,
    });
    return {
      transitionId,
      contactId: family.survivor,
      from: stored.state.position.stage,
      to: options.to,
      occurredAt: now,
      agreementVersion: latest.version,
    };
  });
}
