import { randomBytes } from 'node:crypto';
import { AppError } from '../../app-error.ts';
import { type WebhookFormat, webhookFormats } from '../../db/schema.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { checkWebhookUrl, type LookupAddresses, redactUrl } from '../../notify/check-webhook-url.ts';
import {
  isNotificationKind,
  type NotificationKind,
  notificationKinds,
} from '../../notify/notification-kinds.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

export type CreatedWebhook = {
  id: string;
  url: string;
  format: WebhookFormat;
  kinds: NotificationKind[];
  active: boolean;
  createdAt: Date;
  /** The signing secret (json format): returned once, never shown again. Null for Slack. */
  secret: string | null;
};

/**
 * Registers where notifications go. The URL must pass the SSRF guard; `kinds` narrows what it
 * receives (empty: every kind). A json webhook gets a signing secret, answered here only.
 */
export async function createWebhook(
  options: {
    workspaceId: string;
    url: string;
    format: string;
    kinds: readonly string[];
    allowPrivateUrls: boolean;
    /** Who creates it, for the audit log. */
    createdBy?: string;
  },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>> & { lookup?: LookupAddresses },
): Promise<CreatedWebhook> {
  const format = options.format as WebhookFormat;
  if (!webhookFormats.includes(format)) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Unknown webhook format "${options.format}"; expected one of ${webhookFormats.join(', ')}.`,
      details: { field: 'format', allowed: webhookFormats },
    });
  }
  const unknown = options.kinds.filter((kind) => !isNotificationKind(kind));
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Unknown notification kind(s) ${unknown.map((kind) => `"${kind}"`).join(', ')}; expected some of ${notificationKinds.join(', ')}.`,
      details: { field: 'kinds', allowed: notificationKinds },
    });
  }
  const kinds = notificationKinds.filter((kind) => options.kinds.includes(kind));
  const url = options.url.trim();
  const checked = await checkWebhookUrl(url, {
    allowPrivate: options.allowPrivateUrls,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  if (!checked.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: `The webhook URL ${checked.reason}.`,
      details: { field: 'url' },
    });
  }
  const createdAt = deps.clock();
  const row = await withRepos(deps, async (repos) => {
    const workspace = await repos.workspaces.find(options.workspaceId);
    if (!workspace) {
      throw new AppError('NOT_FOUND', { message: `Workspace ${options.workspaceId} does not exist.` });
    }
    const stored = await repos.webhooks.create({
      workspaceId: options.workspaceId,
      id: createUuidV7(createdAt),
      url: checked.url.toString(),
      format,
      kinds,
      secret: format === 'json' ? `whsec_${randomBytes(32).toString('base64url')}` : null,
      createdAt,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.createdBy ?? 'system',
      action: 'webhook.create',
      target: stored.id,
      detail: { url: redactUrl(stored.url), format, kinds },
      at: createdAt,
    });
    return stored;
  });
  return {
    id: row.id,
    url: row.url,
    format,
    kinds,
    active: row.active,
    createdAt: row.createdAt,
    secret: row.secret,
  };
}
