import type { Brief } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import type { NotificationPayloads } from '../../notify/notification-kinds.ts';
import { enqueueNotifications } from '../../repositories/notification.repository.ts';
import type { ReportDeps } from '../reports/report-context.ts';
import { getBrief } from './get-brief.ts';

export type SentBrief = { notificationId: string; week: string; deliveries: number; brief: Brief };

/** The summary a chat message shows: the headline figures and the first questions. */
function summaryOf(brief: Brief): NotificationPayloads['weekly-brief']['summary'] {
  return {
    wins: brief.wins.count,
    revenue: brief.wins.revenue,
    currency: brief.currency,
    mqls: brief.leadFlow.week?.mqls ?? null,
    marketingAttainment: brief.sla.marketing.attainment,
    salesCompliance: brief.sla.sales.compliance,
    clogs: brief.clogs.length,
    questions: brief.questions.slice(0, 3).map((question) => question.question),
  };
}

/**
 * Sends the week's brief through the notifier to every active webhook subscribed to
 * `weekly-brief` (or to every kind): Slack webhooks get the summary and the link, JSON webhooks
 * the summary and the whole brief. The notifier delivers, retries and records as for any other
 * notification.
 */
export async function sendBrief(
  options: {
    workspaceId: string;
    week?: string;
    /** Where readers open the brief, or how to make it from the week's label; null: no link. */
    link: string | null | ((week: string) => string);
  },
  deps: ReportDeps & Pick<Deps, 'repos'>,
): Promise<SentBrief> {
  const brief = await getBrief(options, deps);
  const createdAt = deps.clock();
  const notificationId = createUuidV7(createdAt);
  const payload: NotificationPayloads['weekly-brief'] = {
    week: brief.week.label,
    link: typeof options.link === 'function' ? options.link(brief.week.label) : options.link,
    summary: summaryOf(brief),
    brief,
  };
  const deliveries = await enqueueNotifications(deps.repos, options.workspaceId, [
    { id: notificationId, kind: 'weekly-brief', payload, createdAt },
  ]);
  return { notificationId, week: brief.week.label, deliveries: deliveries.length, brief };
}
