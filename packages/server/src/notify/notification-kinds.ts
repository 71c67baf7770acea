import { z } from 'zod';

/** The stored webhook formats and delivery statuses, for the layers that do not import db/. */
export { deliveryStatuses, webhookFormats } from '../db/schema.ts';

/**
 * What Smarketing tells the outside world, and what each notification carries. The engine writes
 * these payloads into the `notifications` outbox; webhooks receive them as the `data` of the JSON
 * envelope, Slack receives a sentence made from them (format-message.ts).
 */
export const notificationKinds = [
  'hot-lead-routed',
  'lead-routed',
  'sla-at-risk',
  'sla-breached',
  'sla-escalated',
  'lead-recycled',
  'weekly-brief',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** Sent to one webhook on request (`POST /api/v1/webhooks/{id}/test`); never subscribed to. */
export const testNotificationKind = 'test';

export function isNotificationKind(value: string): value is NotificationKind {
  return (notificationKinds as readonly string[]).includes(value);
}

const contactRef = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  title: z.string().nullish(),
  company: z.string().nullish(),
});
const repRef = z.object({ id: z.string(), name: z.string() });
const scorePart = z.object({ label: z.string(), points: z.number() });
/** An instant as ISO 8601 (`2026-11-24T20:00:00.000Z`). */
const instant = z.iso.datetime({ offset: true });
/** IANA zone the readable times are written in (the SLA's business-hours zone); UTC when absent. */
const timeZone = z.string().optional();

const routedLead = z.object({
  contact: contactRef,
  rep: repRef.nullable(),
  team: z.object({ id: z.string(), name: z.string() }).nullable(),
  quadrant: z.string(),
  fit: z.object({ score: z.number(), grade: z.string().nullish(), explanation: z.array(scorePart) }),
  interest: z.object({ score: z.number(), explanation: z.array(scorePart) }),
  /** Why this rep: the routing rule's reason, in words. */
  reason: z.string(),
  /** When the first touch is due; null when the quadrant has no SLA clock. */
  slaDeadline: instant.nullable(),
  timeZone,
});

export const notificationPayloadSchemas = {
  /** A hot lead handed to a rep, with why (its scores' explanation) and when the first touch is due. */
  'hot-lead-routed': routedLead,
  /** Any other lead handed to sales (a fan's low-touch follow-up, an MQL outside the hot quadrant). */
  'lead-routed': routedLead,
  'sla-at-risk': z.object({
    contact: contactRef,
    rep: repRef.nullable(),
    deadline: instant,
    minutesLeft: z.number(),
    timeZone,
  }),
  'sla-breached': z.object({
    contact: contactRef,
    rep: repRef.nullable(),
    deadline: instant,
    minutesLate: z.number(),
    timeZone,
  }),
  'sla-escalated': z.object({
    contact: contactRef,
    rep: repRef.nullable(),
    deadline: instant,
    minutesLate: z.number(),
    action: z.enum(['notify-manager', 'reassign']),
    manager: repRef.nullable(),
    /** The rep the lead moved to (action `reassign`). */
    newRep: repRef.nullish(),
    timeZone,
  }),
  'lead-recycled': z.object({
    contact: contactRef,
    rep: repRef.nullable(),
    reason: z.object({ id: z.string(), label: z.string() }),
    /** The calendar day the lead comes back to sales (`YYYY-MM-DD`). */
    returnsOn: z.iso.date(),
  }),
  /** The weekly meeting brief, sent on request: a summary and a link; `brief` is the whole brief JSON. */
  'weekly-brief': z.object({
    week: z.string(),
    link: z.string().nullable(),
    summary: z.object({
      wins: z.number(),
      revenue: z.number(),
      currency: z.string(),
      mqls: z.number().nullable(),
      marketingAttainment: z.number().nullable(),
      salesCompliance: z.number().nullable(),
      clogs: z.number(),
      questions: z.array(z.string()),
    }),
    brief: z.unknown(),
  }),
} satisfies Record<NotificationKind, z.ZodType>;

/** The payload the engine writes for each kind (JSON: instants as ISO strings). */
export type NotificationPayloads = {
  [Kind in NotificationKind]: z.input<(typeof notificationPayloadSchemas)[Kind]>;
};
