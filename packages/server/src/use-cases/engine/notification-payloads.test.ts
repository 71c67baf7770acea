import {
  createMemoryStateStore,
  defaultAgreementYaml,
  type EngineStep,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  parseAgreement,
  processStep,
} from '@smarketing/core';
import { describe, expect, test } from 'vitest';
import { formatSlackMessage } from '../../notify/format-message.ts';
import { isNotificationKind, notificationPayloadSchemas } from '../../notify/notification-kinds.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

const hour = 3_600_000;
const t0 = Date.parse('2027-03-02T20:00:00Z');

/**
 * A hot lead a manager gives to another rep (routed, reassigned) whom nobody touches (at risk,
 * breached, escalated twice), and one recycled.
 */
function engineNotifications() {
  const world: EngineWorld = {
    agreement,
    routing: emptyRoutingState(),
    accountOwner: () => undefined,
  };
  const store = createMemoryStateStore(world);
  const effects = emptyEffects();
  const traits = {
    title: 'VP Marketing',
    employees: 300,
    industry: 'Software',
    firstName: 'Dana',
    lastName: 'Smith',
  };
  let seq = 0;
  const steps: EngineStep[] = [];
  for (const id of ['c1', 'c2']) {
    steps.push(
      {
        kind: 'contact',
        seq: ++seq,
        at: t0,
        contactId: id,
        email: `${id}@acme.io`,
        accountId: null,
        traits,
        mergedIntoId: null,
      },
      { kind: 'activity', seq: ++seq, at: t0, contactId: id, activityType: 'demo-requested' },
    );
  }
  steps.push(
    {
      kind: 'feedback',
      seq: ++seq,
      at: t0 + hour,
      contactId: 'c2',
      repId: 'sam',
      verdict: 'recycle',
      reason: 'not-now',
    },
    {
      kind: 'reassign',
      seq: ++seq,
      at: t0 + 2 * hour,
      contactId: 'c1',
      repId: 'taylor',
      actor: 'manager@acme.io',
      reason: 'knows the account',
    },
    { kind: 'tick', seq: ++seq, at: t0 + 60 * hour },
  );
  for (const step of steps) processStep(world, store, step, effects);
  return effects.notifications;
}

describe('the engine’s notifications match what the notifier formats', () => {
  const notifications = engineNotifications();

  test('every kind the engine sends is a known kind, and this scenario sends each one', () => {
    expect(new Set(notifications.map((note) => note.kind))).toEqual(
      new Set([
        'hot-lead-routed',
        'lead-routed',
        'sla-at-risk',
        'sla-breached',
        'sla-escalated',
        'lead-recycled',
      ]),
    );
  });

  test.each(engineNotifications().map((note) => [note.kind, note] as const))(
    '%s payload matches its schema',
    (kind, note) => {
      expect(isNotificationKind(kind)).toBe(true);
      if (!isNotificationKind(kind)) return;
      const result = notificationPayloadSchemas[kind].safeParse(note.payload);
      expect(result.error?.issues ?? []).toEqual([]);
      const message = formatSlackMessage({
        id: note.id,
        workspaceId: 'w',
        kind,
        createdAt: new Date(note.at),
        payload: note.payload,
      });
      expect(message.text).not.toMatch(/^Smarketing notification/);
      expect(message.text).toContain('Dana Smith');
    },
  );
});
