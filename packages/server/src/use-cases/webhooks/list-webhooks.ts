import type { Deps } from '../../deps.ts';
import { redactUrl } from '../../notify/check-webhook-url.ts';
import { isNotificationKind } from '../../notify/notification-kinds.ts';

/**
 * The workspace's webhooks, deactivated ones included, without their signing secrets; URLs are
 * shortened, since an incoming-webhook URL (Slack's) is itself a credential.
 */
export async function listWebhooks(options: { workspaceId: string }, deps: Pick<Deps, 'repos'>) {
  const rows = await deps.repos.webhooks.list(options.workspaceId);
  return rows.map((row) => ({
    id: row.id,
    url: redactUrl(row.url),
    format: row.format,
    kinds: row.kinds.filter(isNotificationKind),
    active: row.active,
    createdAt: row.createdAt,
  }));
}
