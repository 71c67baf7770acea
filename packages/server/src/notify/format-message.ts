import type { WebhookFormat } from '../db/schema.ts';
import {
  isNotificationKind,
  type NotificationKind,
  type NotificationPayloads,
  notificationPayloadSchemas,
  testNotificationKind,
} from './notification-kinds.ts';

/** A notification as it leaves: the outbox row. */
export type OutgoingNotification = {
  id: string;
  workspaceId: string;
  kind: string;
  createdAt: Date;
  payload: unknown;
};

/** The request body for a webhook of the given format. */
export function formatMessage(format: WebhookFormat, notification: OutgoingNotification): string {
  return JSON.stringify(format === 'slack' ? formatSlackMessage(notification) : formatEnvelope(notification));
}

/** The JSON format: the payload as `data` in an envelope naming what it is. */
function formatEnvelope(notification: OutgoingNotification) {
  return {
    id: notification.id,
    kind: notification.kind,
    createdAt: notification.createdAt.toISOString(),
    workspaceId: notification.workspaceId,
    data: notification.payload,
  };
}

type SlackMessage = {
  text: string;
  blocks: (
    | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
    | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  )[];
};

/**
 * The Slack (incoming webhook) format: one readable sentence per notification, as `text` (what
 * notifications and plain clients show) and as a section block, with details in a context block.
 * A payload that does not match its kind still gives a message, naming the kind.
 */
export function formatSlackMessage(notification: OutgoingNotification): SlackMessage {
  const { sentence, details } = describe(notification);
  return {
    text: sentence,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: sentence } },
      ...(details.length > 0
        ? [{ type: 'context' as const, elements: details.map((text) => ({ type: 'mrkdwn' as const, text })) }]
        : []),
    ],
  };
}

function describe(notification: OutgoingNotification): Description {
  if (notification.kind === testNotificationKind) {
    return { sentence: '✅ Test notification from Smarketing: this webhook works.', details: [] };
  }
  if (isNotificationKind(notification.kind)) {
    const parsed = notificationPayloadSchemas[notification.kind].safeParse(notification.payload);
    const describer = describers[notification.kind] as (payload: unknown) => Description;
    if (parsed.success) return describer(parsed.data);
  }
  return { sentence: `Smarketing notification: ${escapeMrkdwn(notification.kind)}`, details: [] };
}

type Description = { sentence: string; details: string[] };

const describers: { [Kind in NotificationKind]: (payload: NotificationPayloads[Kind]) => Description } = {
  'hot-lead-routed': (p) => {
    const owner = p.rep?.name ?? p.team?.name ?? 'the team';
    const grade = p.fit.grade ? ` (${escapeMrkdwn(p.fit.grade)})` : '';
    const why = [...p.interest.explanation, ...p.fit.explanation]
      .filter((part) => part.points !== 0)
      .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
      .slice(0, 4)
      .map((part) => `${escapeMrkdwn(part.label)} ${signed(part.points)}`);
    const due = p.slaDeadline ? ` First touch due by ${formatInstant(p.slaDeadline, p.timeZone)}.` : '';
    return {
      sentence:
        `🔥 Hot lead for ${escapeMrkdwn(owner)}: ${contactLabel(p.contact)} — fit ${round(p.fit.score)}${grade}, ` +
        `interest ${round(p.interest.score)}.${why.length > 0 ? ` Why: ${why.join(', ')}.` : ''}${due}`,
      details: [`Routed: ${escapeMrkdwn(p.reason)}`, `Quadrant: ${escapeMrkdwn(p.quadrant)}`],
    };
  },
  'lead-routed': (p) => {
    const owner = p.rep?.name ?? p.team?.name ?? 'the team';
    const due = p.slaDeadline ? ` First touch due by ${formatInstant(p.slaDeadline, p.timeZone)}.` : '';
    return {
      sentence:
        `📥 New ${escapeMrkdwn(p.quadrant)} lead for ${escapeMrkdwn(owner)}: ${contactLabel(p.contact)} — ` +
        `fit ${round(p.fit.score)}${p.fit.grade ? ` (${escapeMrkdwn(p.fit.grade)})` : ''}, interest ${round(p.interest.score)}.${due}`,
      details: [`Routed: ${escapeMrkdwn(p.reason)}`],
    };
  },
  'sla-at-risk': (p) => ({
    sentence:
      `⏳ SLA at risk: ${contactLabel(p.contact)}${routedTo(p.rep)} needs a first touch by ` +
      `${formatInstant(p.deadline, p.timeZone)} (${formatMinutes(p.minutesLeft)} left).`,
    details: [],
  }),
  'sla-breached': (p) => ({
    sentence:
      `🚨 SLA breached: ${contactLabel(p.contact)}${routedTo(p.rep)} was due a first touch by ` +
      `${formatInstant(p.deadline, p.timeZone)} and is ${formatMinutes(p.minutesLate)} late.`,
    details: [],
  }),
  'sla-escalated': (p) => {
    const due = `was due by ${formatInstant(p.deadline, p.timeZone)} and is ${formatMinutes(p.minutesLate)} late`;
    if (p.action === 'reassign') {
      const to = p.newRep ? ` to ${escapeMrkdwn(p.newRep.name)}` : '';
      const from = p.rep ? ` from ${escapeMrkdwn(p.rep.name)}` : '';
      return {
        sentence: `🔁 SLA escalated: ${contactLabel(p.contact)} reassigned${from}${to}; the first touch ${due}.`,
        details: p.manager ? [`Manager: ${escapeMrkdwn(p.manager.name)}`] : [],
      };
    }
    const manager = p.manager ? ` to ${escapeMrkdwn(p.manager.name)}` : '';
    return {
      sentence: `📣 SLA escalated${manager}: ${contactLabel(p.contact)}${routedTo(p.rep)} ${due}.`,
      details: [],
    };
  },
  'lead-recycled': (p) => ({
    sentence:
      `♻️ Lead recycled${p.rep ? ` by ${escapeMrkdwn(p.rep.name)}` : ''}: ${contactLabel(p.contact)} — ` +
      `${escapeMrkdwn(p.reason.label)}. Comes back on ${formatDay(p.returnsOn)}.`,
    details: [`Reason: ${escapeMrkdwn(p.reason.id)}`],
  }),
  'weekly-brief': (p) => {
    const s = p.summary;
    const share = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);
    const link =
      p.link === null ? '' : ` <${p.link.replaceAll('>', '%3E').replaceAll('|', '%7C')}|Read the brief>`;
    return {
      sentence:
        `🗓️ Weekly brief ${escapeMrkdwn(p.week)}: ${s.wins} deals won (${escapeMrkdwn(s.currency)} ${round(s.revenue)}), ` +
        `${s.mqls ?? 'n/a'} MQLs, marketing at ${share(s.marketingAttainment)} of target, sales worked ${share(s.salesCompliance)} in time, ` +
        `${s.clogs} clogs.${link}`,
      details: s.questions.slice(0, 3).map((question) => `❓ ${escapeMrkdwn(question)}`),
    };
  },
};

type ContactRef = NotificationPayloads['sla-at-risk']['contact'];

/** "Dana Smith (VP Marketing, Acme)", falling back to the e-mail address. */
function contactLabel(contact: ContactRef): string {
  const name = contact.name ?? contact.email ?? 'A contact';
  const about = [contact.title, contact.company].filter((part): part is string => Boolean(part));
  return escapeMrkdwn(about.length > 0 ? `${name} (${about.join(', ')})` : name);
}

function routedTo(rep: { name: string } | null): string {
  return rep ? `, routed to ${escapeMrkdwn(rep.name)},` : '';
}

/** Slack mrkdwn control characters: user data must not become links or @channel mentions. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const round = (value: number) => String(Math.round(value));
const signed = (points: number) => (points > 0 ? `+${round(points)}` : `−${round(-points)}`);

/** "2 h 5 min", "45 min", "3 d 4 h". */
function formatMinutes(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const rest = total % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

/** "Tue 24 Nov 15:00 EST" in the given zone (UTC by default, or when the zone is unknown). */
function formatInstant(iso: string, timeZone = 'UTC'): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

/** "Mon 1 Mar 2027" for a calendar day. */
function formatDay(day: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const parts = Object.fromEntries(
    format.formatToParts(new Date(`${day}T00:00:00Z`)).map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}
