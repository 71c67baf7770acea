import { createUuidV7 } from '../../ids.ts';
import type { Repositories } from '../../repositories/index.ts';

/** Audited actions, as `<object>.<verb>`. */
export type AuditAction =
  | 'agreement.apply'
  | 'api-key.create'
  | 'api-key.revoke'
  | 'contact.move-stage'
  | 'contact.reassign'
  | 'webhook.create'
  | 'webhook.delete'
  | 'user.create'
  | 'contact.erase'
  | 'workspace.export'
  | 'workspace.import'
  | 'announcement.create'
  | 'announcement.update'
  | 'announcement.withdraw'
  | 'persona.create'
  | 'persona.update'
  | 'persona.delete';

/**
 * Appends one entry to the audit log, in the caller's transaction (pass the transaction's
 * repositories), so the change and its record commit together or not at all.
 */
export async function recordAudit(
  repos: Pick<Repositories, 'audit'>,
  entry: {
    workspaceId: string;
    actor: string;
    action: AuditAction;
    target?: string;
    detail?: unknown;
    at: Date;
  },
): Promise<void> {
  await repos.audit.append({
    workspaceId: entry.workspaceId,
    id: createUuidV7(entry.at),
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    detail: entry.detail ?? {},
  });
}
