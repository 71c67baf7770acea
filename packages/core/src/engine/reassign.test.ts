import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { type EngineEffects, type EngineWorld, emptyEffects } from './contact-engine.ts';
import { emptyRoutingState } from './routing/index.ts';
import { createMemoryStateStore, type EngineStep, processStep } from './workspace-engine.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

const hour = 3_600_000;
/** Tuesday 2 March 2027, 15:00 in New York. */
const t0 = Date.parse('2027-03-02T20:00:00Z');

function makeWorld(): EngineWorld & { owners: Map<string, string> } {
  const owners = new Map<string, string>();
  return {
    owners,
    agreement,
    routing: emptyRoutingState(),
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => owners.set(accountId, repId),
  };
}

let seq = 0;
const vp = { title: 'VP of Marketing', employees: 300, industry: 'Software', firstName: 'Dana' };
const contact = (contactId: string, at: number, mergedIntoId: string | null = null): EngineStep => ({
  kind: 'contact',
  seq: ++seq,
  at,
  contactId,
  email: `${contactId}@acme.io`,
  accountId: 'acct-1',
  traits: vp,
  mergedIntoId,
});
const demo = (contactId: string, at: number): EngineStep => ({
  kind: 'activity',
  seq: ++seq,
  at,
  contactId,
  activityType: 'demo-requested',
});
const call = (contactId: string, at: number): EngineStep => ({
  kind: 'touch',
  seq: ++seq,
  at,
  contactId,
  repId: 'alex',
  touchKind: 'call',
});
const tick = (at: number): EngineStep => ({ kind: 'tick', seq: ++seq, at });
const reassign = (
  contactId: string,
  at: number,
  repId: string,
  reason: string | null = 'knows them',
): EngineStep => ({
  kind: 'reassign',
  seq: ++seq,
  at,
  contactId,
  repId,
  actor: 'manager@acme.io',
  reason,
});
/** A hot lead handed to alex at t0, its clock open (deadline t0 + 24h). */
const hotLead = (contactId: string) => [contact(contactId, t0), demo(contactId, t0)];

function run(steps: EngineStep[]) {
  const world = makeWorld();
  const store = createMemoryStateStore(world);
  const before: EngineEffects = emptyEffects();
  const effects: EngineEffects = emptyEffects();
  const last = steps.length - 1;
  steps.forEach((step, index) => {
    processStep(world, store, step, index === last ? effects : before);
  });
  return { world, store, before, effects };
}

type Case = {
  name: string;
  steps: EngineStep[];
  contactId: string;
  owner: string | undefined;
  team?: string;
  /** The assignments the reassignment itself recorded: `rep/reasonKind`. */
  assignments: string[];
  /** The clocks the reassignment wrote: `rep:status:stopCause`. */
  clocks: string[];
  alerts: string[];
  notifications: string[];
};

const cases: Case[] = [
  {
    name: 'an open clock is cancelled and a fresh one of its quadrant starts for the new rep',
    steps: [...hotLead('c1'), reassign('c1', t0 + 2 * hour, 'taylor')],
    contactId: 'c1',
    owner: 'taylor',
    team: 'enterprise-sales',
    assignments: ['taylor/manual'],
    clocks: ['alex:cancelled:reassigned', 'taylor:open:-'],
    alerts: [],
    notifications: ['lead-routed'],
  },
  {
    name: 'a worked clock stays as it is; only the owner changes',
    steps: [...hotLead('c2'), call('c2', t0 + hour), reassign('c2', t0 + 2 * hour, 'sam')],
    contactId: 'c2',
    owner: 'sam',
    team: 'inside-sales',
    assignments: ['sam/manual'],
    clocks: [],
    alerts: [],
    notifications: ['lead-routed'],
  },
  {
    name: 'a reassignment to the current owner changes nothing',
    steps: [...hotLead('c3'), reassign('c3', t0 + 2 * hour, 'alex')],
    contactId: 'c3',
    owner: 'alex',
    team: 'inside-sales',
    assignments: [],
    clocks: [],
    alerts: [],
    notifications: [],
  },
  {
    name: 'a rep the agreement does not know leaves the owner and raises an alert',
    steps: [...hotLead('c4'), reassign('c4', t0 + 2 * hour, 'nobody')],
    contactId: 'c4',
    owner: 'alex',
    team: 'inside-sales',
    assignments: [],
    clocks: [],
    alerts: ['reassign-refused'],
    notifications: [],
  },
  {
    name: 'a contact merged into another ignores it (and so does the one it was merged into)',
    steps: [...hotLead('c5'), contact('c6', t0 + hour, 'c5'), reassign('c6', t0 + 2 * hour, 'taylor')],
    contactId: 'c5',
    owner: 'alex',
    team: 'inside-sales',
    assignments: [],
    clocks: [],
    alerts: [],
    notifications: [],
  },
  {
    name: 'a lead not handed to sales yet gets its owner; there is no clock to restart',
    steps: [contact('c7', t0), reassign('c7', t0 + hour, 'jamie', null)],
    contactId: 'c7',
    owner: 'jamie',
    team: 'enterprise-sales',
    assignments: ['jamie/manual'],
    clocks: [],
    alerts: [],
    notifications: ['lead-routed'],
  },
];

describe('manual reassignment', () => {
  test.each(cases)('$name', (example) => {
    const { store, effects } = run(example.steps);
    const state = store.get(example.contactId);
    expect(state?.owner?.repId).toBe(example.owner);
    if (example.team !== undefined) expect(state?.owner?.teamId).toBe(example.team);
    expect(effects.assignments.map((row) => `${row.repId}/${row.reasonKind}`)).toEqual(example.assignments);
    expect(effects.clocks.map((row) => `${row.repId}:${row.status}:${row.stopCause ?? '-'}`)).toEqual(
      example.clocks,
    );
    expect(effects.alerts.map((row) => row.kind)).toEqual(example.alerts);
    expect(effects.notifications.map((row) => row.kind)).toEqual(example.notifications);
  });

  test('the assignment and the notification name the actor and the reason; the new clock runs from the reassignment', () => {
    const at = t0 + 2 * hour;
    const { store, effects, world } = run([
      ...hotLead('r1'),
      reassign('r1', at, 'taylor', 'met at the fair'),
    ]);
    expect(effects.assignments[0]).toMatchObject({
      contactId: 'r1',
      repId: 'taylor',
      teamId: 'enterprise-sales',
      reasonKind: 'manual',
      reason: 'Reassigned by manager@acme.io: met at the fair',
      at,
    });
    const clock = store.get('r1')?.clock;
    expect(clock).toMatchObject({
      repId: 'taylor',
      teamId: 'enterprise-sales',
      quadrant: 'hot',
      startedAt: at,
    });
    expect(clock?.deadlineAt).toBeGreaterThan(at);
    const note = effects.notifications[0];
    expect(note?.payload).toMatchObject({
      rep: { id: 'taylor', name: 'Taylor Brooks' },
      team: { id: 'enterprise-sales' },
      reason: 'Reassigned by manager@acme.io: met at the fair',
      slaDeadline: new Date(clock?.deadlineAt ?? 0).toISOString(),
    });
    // The account's owner follows, so the next lead of the account goes to the same rep.
    expect(world.owners.get('acct-1')).toBe('taylor');
  });

  test('a breached clock still escalating is replaced; the steps already taken carry over and the old one stops', () => {
    const { store, effects } = run([
      ...hotLead('b1'),
      tick(t0 + 30 * hour), // breached at 24h, manager notified at 28h
      reassign('b1', t0 + 31 * hour, 'taylor'),
    ]);
    expect(
      effects.clocks.map((row) => `${row.repId}:${row.status}:${row.stopCause ?? '-'}:${row.escalated}`),
    ).toEqual(['alex:breached:reassigned:1', 'taylor:open:-:1']);
    expect(store.get('b1')?.clock?.startedAt).toBe(t0 + 31 * hour);
  });

  test('a timer due before the reassignment fires first, in the order of time', () => {
    const { effects } = run([...hotLead('d1'), reassign('d1', t0 + 25 * hour, 'taylor')]);
    expect(effects.alerts.map((row) => row.kind)).toEqual(['sla-breached']);
    expect(effects.clocks.map((row) => `${row.repId}:${row.status}:${row.stopCause ?? '-'}`)).toEqual([
      'alex:breached:reassigned',
      'taylor:open:-',
    ]);
  });

  test('later routing keeps the manual owner: the hand-over after a reassignment goes to that rep', () => {
    const { store, effects } = run([
      contact('h1', t0),
      reassign('h1', t0 + hour, 'jamie'),
      demo('h1', t0 + 2 * hour),
    ]);
    expect(effects.assignments.map((row) => row.repId)).toEqual(['jamie']);
    expect(store.get('h1')?.clock).toMatchObject({ repId: 'jamie', status: 'open' });
  });
});
