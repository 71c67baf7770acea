import { describe, expect, test } from 'vitest';
import { formatMessage, formatSlackMessage, type OutgoingNotification } from './format-message.ts';
import type { NotificationKind, NotificationPayloads } from './notification-kinds.ts';

const createdAt = new Date('2026-11-24T18:00:00.000Z');
const contact = {
  id: 'c1',
  email: 'dana@acme.com',
  name: 'Dana Smith',
  title: 'VP Marketing',
  company: 'Acme',
};
const rep = { id: 'taylor', name: 'Taylor Brooks' };
const newYork = 'America/New_York';

const payloads: { [Kind in NotificationKind]: NotificationPayloads[Kind] } = {
  'hot-lead-routed': {
    contact,
    rep,
    team: { id: 'enterprise', name: 'Enterprise' },
    quadrant: 'good-fit-interested',
    fit: {
      score: 85,
      grade: 'A',
      explanation: [
        { label: 'VP title', points: 20 },
        { label: '200–1000 employees', points: 15 },
      ],
    },
    interest: {
      score: 62,
      explanation: [
        { label: 'Requested a demo', points: 50 },
        { label: 'Visited pricing', points: 10 },
        { label: 'Inactive for 30 days', points: -3 },
      ],
    },
    reason: 'Enterprise team (persona: marketing leader), round robin',
    slaDeadline: '2026-11-24T20:00:00.000Z',
    timeZone: newYork,
  },
  'lead-routed': {
    contact,
    rep,
    team: { id: 'inside-sales', name: 'Inside sales' },
    quadrant: 'fan',
    fit: { score: 20, grade: 'D', explanation: [{ label: 'Personal e-mail address', points: -20 }] },
    interest: { score: 48, explanation: [{ label: 'Attended a webinar', points: 40 }] },
    reason: 'Default team Inside sales; Alex Rivera next by weighted round-robin (capacity 1)',
    slaDeadline: '2026-11-27T20:00:00.000Z',
    timeZone: newYork,
  },
  'sla-at-risk': { contact, rep, deadline: '2026-11-24T20:00:00.000Z', minutesLeft: 45, timeZone: newYork },
  'sla-breached': { contact, rep, deadline: '2026-11-24T20:00:00.000Z', minutesLate: 125, timeZone: newYork },
  'sla-escalated': {
    contact,
    rep,
    deadline: '2026-11-24T20:00:00.000Z',
    minutesLate: 1500,
    action: 'notify-manager',
    manager: { id: 'morgan', name: 'Morgan Lee' },
  },
  'lead-recycled': {
    contact,
    rep,
    reason: { id: 'not-ready', label: 'Not ready to buy' },
    returnsOn: '2027-03-01',
  },
  'weekly-brief': {
    week: '2027-W09',
    link: 'https://smarketing.example.com/brief?week=2027-W09',
    summary: {
      wins: 2,
      revenue: 50_000,
      currency: 'USD',
      mqls: 6,
      marketingAttainment: 0.1,
      salesCompliance: 0.85,
      clogs: 1,
      questions: ['Who takes the <2> untouched leads?'],
    },
    brief: {},
  },
};

const notification = (kind: string, payload: unknown): OutgoingNotification => ({
  id: '0194f5a0-0000-7000-8000-000000000001',
  workspaceId: '0194f5a0-0000-7000-8000-0000000000aa',
  kind,
  createdAt,
  payload,
});

describe('formatSlackMessage', () => {
  test.each<[NotificationKind, string]>([
    [
      'hot-lead-routed',
      '🔥 Hot lead for Taylor Brooks: Dana Smith (VP Marketing, Acme) — fit 85 (A), interest 62. ' +
        'Why: Requested a demo +50, VP title +20, 200–1000 employees +15, Visited pricing +10. ' +
        'First touch due by Tue 24 Nov 15:00 EST.',
    ],
    [
      'lead-routed',
      '📥 New fan lead for Taylor Brooks: Dana Smith (VP Marketing, Acme) — fit 20 (D), interest 48. ' +
        'First touch due by Fri 27 Nov 15:00 EST.',
    ],
    [
      'sla-at-risk',
      '⏳ SLA at risk: Dana Smith (VP Marketing, Acme), routed to Taylor Brooks, needs a first touch by ' +
        'Tue 24 Nov 15:00 EST (45 min left).',
    ],
    [
      'sla-breached',
      '🚨 SLA breached: Dana Smith (VP Marketing, Acme), routed to Taylor Brooks, was due a first touch by ' +
        'Tue 24 Nov 15:00 EST and is 2 h 5 min late.',
    ],
    [
      'sla-escalated',
      '📣 SLA escalated to Morgan Lee: Dana Smith (VP Marketing, Acme), routed to Taylor Brooks, ' +
        'was due by Tue 24 Nov 20:00 UTC and is 1 d 1 h late.',
    ],
    [
      'lead-recycled',
      '♻️ Lead recycled by Taylor Brooks: Dana Smith (VP Marketing, Acme) — Not ready to buy. ' +
        'Comes back on Mon 1 Mar 2027.',
    ],
    [
      'weekly-brief',
      '🗓️ Weekly brief 2027-W09: 2 deals won (USD 50000), 6 MQLs, marketing at 10% of target, sales worked 85% in time, ' +
        '1 clogs. <https://smarketing.example.com/brief?week=2027-W09|Read the brief>',
    ],
  ])('writes one readable sentence for %s', (kind, sentence) => {
    const message = formatSlackMessage(notification(kind, payloads[kind]));
    expect(message.text).toBe(sentence);
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: sentence } });
  });

  test('puts the routing reason and quadrant of a hot lead in a context block', () => {
    const message = formatSlackMessage(notification('hot-lead-routed', payloads['hot-lead-routed']));
    expect(message.blocks[1]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Routed: Enterprise team (persona: marketing leader), round robin' },
        { type: 'mrkdwn', text: 'Quadrant: good-fit-interested' },
      ],
    });
  });

  test('says who a lead was reassigned to', () => {
    const message = formatSlackMessage(
      notification('sla-escalated', {
        ...payloads['sla-escalated'],
        action: 'reassign',
        newRep: { id: 'sam', name: 'Sam Patel' },
        timeZone: 'Europe/Paris',
      }),
    );
    expect(message.text).toBe(
      '🔁 SLA escalated: Dana Smith (VP Marketing, Acme) reassigned from Taylor Brooks to Sam Patel; ' +
        'the first touch was due by Tue 24 Nov 21:00 GMT+1 and is 1 d 1 h late.',
    );
  });

  test('falls back to the e-mail address, the team, and no deadline', () => {
    const message = formatSlackMessage(
      notification('hot-lead-routed', {
        ...payloads['hot-lead-routed'],
        contact: { id: 'c2', email: 'lee@beta.io', name: null },
        rep: null,
        fit: { score: 71.6, explanation: [] },
        interest: { score: 40, explanation: [] },
        slaDeadline: null,
      }),
    );
    expect(message.text).toBe('🔥 Hot lead for Enterprise: lee@beta.io — fit 72, interest 40.');
  });

  test('escapes Slack control characters in names, so data cannot mention @channel or add links', () => {
    const message = formatSlackMessage(
      notification('lead-recycled', {
        ...payloads['lead-recycled'],
        contact: { id: 'c3', email: null, name: '<!channel> & <https://evil.example|click>' },
      }),
    );
    expect(message.text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(message.text).not.toContain('<!channel>');
  });

  test('names the kind of a test notification, an unknown kind, or a payload that does not fit its kind', () => {
    expect(formatSlackMessage(notification('test', {})).text).toBe(
      '✅ Test notification from Smarketing: this webhook works.',
    );
    expect(formatSlackMessage(notification('digest-weekly', {})).text).toBe(
      'Smarketing notification: digest-weekly',
    );
    expect(formatSlackMessage(notification('sla-breached', { contact })).text).toBe(
      'Smarketing notification: sla-breached',
    );
  });
});

describe('formatMessage', () => {
  test('wraps the payload in a JSON envelope for json webhooks', () => {
    const payload = payloads['sla-breached'];
    expect(JSON.parse(formatMessage('json', notification('sla-breached', payload)))).toEqual({
      id: '0194f5a0-0000-7000-8000-000000000001',
      kind: 'sla-breached',
      createdAt: '2026-11-24T18:00:00.000Z',
      workspaceId: '0194f5a0-0000-7000-8000-0000000000aa',
      data: payload,
    });
  });

  test('sends { text, blocks } to slack webhooks', () => {
    const body = JSON.parse(formatMessage('slack', notification('test', {})));
    expect(Object.keys(body)).toEqual(['text', 'blocks']);
  });
});
