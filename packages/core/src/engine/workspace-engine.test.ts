import { describe, expect, test } from 'vitest';
import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { type EngineEffects, type EngineWorld, emptyEffects } from './contact-engine.ts';
import { emptyRoutingState } from './routing/index.ts';
import { createMemoryStateStore, type EngineStep, processStep } from './workspace-engine.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

const hour = 3_600_000;
const day = 24 * hour;
/** Tuesday 2 March 2027, 15:00 in New York (EST, UTC−5). */
const t0 = Date.parse('2027-03-02T20:00:00Z');

function makeWorld(changed: Agreement = agreement): EngineWorld {
  const owners = new Map<string, string>();
  return {
    agreement: changed,
    routing: emptyRoutingState(),
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => owners.set(accountId, repId),
  };
}

function run(steps: EngineStep[], world = makeWorld()) {
  const store = createMemoryStateStore(world);
  const effects: EngineEffects = emptyEffects();
  for (const step of steps) processStep(world, store, step, effects);
  return { store, effects, world };
}

let seq = 0;
const contact = (
  contactId: string,
  at: number,
  traits: Record<string, string | number>,
  email: string,
): EngineStep => ({
  kind: 'contact',
  seq: ++seq,
  at,
  contactId,
  email,
  accountId: null,
  traits,
  mergedIntoId: null,
});
const activity = (contactId: string, at: number, activityType: string | null): EngineStep => ({
  kind: 'activity',
  seq: ++seq,
  at,
  contactId,
  activityType,
});
const tick = (at: number): EngineStep => ({ kind: 'tick', seq: ++seq, at });

const vpMarketing = {
  title: 'VP of Marketing',
  employees: 300,
  industry: 'Software',
  firstName: 'Dana',
  lastName: 'Smith',
};

describe('a hot lead, end to end in the engine', () => {
  test('fit and interest are computed, the lead becomes an MQL, is routed and its clock starts', () => {
    const { store, effects } = run([
      contact('c1', t0, vpMarketing, 'dana@acme.io'),
      activity('c1', t0 + 1000, 'form-submitted'),
      activity('c1', t0 + 2000, 'demo-requested'),
    ]);
    const state = store.get('c1');
    expect(state?.fit.grade).toBe('A');
    expect(state?.fit.score).toBe(75); // mid-market 25 + industry 20 + senior 20 + persona 10
    expect(state?.quadrant).toBe('hot');
    expect(effects.transitions.map((move) => `${move.from}→${move.to}:${move.cause}`)).toEqual([
      'null→subscriber:system',
      'subscriber→lead:rule',
      'lead→mql:rule',
    ]);
    expect(effects.assignments).toHaveLength(1);
    expect(effects.assignments[0]).toMatchObject({
      repId: 'alex',
      teamId: 'inside-sales',
      reasonKind: 'default-team',
    });
    expect(state?.clock).toMatchObject({ status: 'open', deadlineAt: t0 + 2000 + day, repId: 'alex' });
    const routed = effects.notifications.find((note) => note.kind === 'hot-lead-routed');
    expect(routed?.payload).toMatchObject({ rep: { id: 'alex' }, quadrant: 'hot' });
    expect(JSON.stringify(routed?.payload)).toContain('Requested a demo');
  });

  test('a qualifying touch stops the clock; a non-qualifying one does not', () => {
    const { store } = run([
      contact('c1', t0, vpMarketing, 'dana@acme.io'),
      activity('c1', t0 + 1000, 'demo-requested'),
      { kind: 'touch', seq: ++seq, at: t0 + hour, contactId: 'c1', repId: 'alex', touchKind: 'sms' },
    ]);
    expect(store.get('c1')?.clock?.status).toBe('open');
    const worked = run([
      contact('c1', t0, vpMarketing, 'dana@acme.io'),
      activity('c1', t0 + 1000, 'demo-requested'),
      { kind: 'touch', seq: ++seq, at: t0 + 2 * hour, contactId: 'c1', repId: 'alex', touchKind: 'call' },
      tick(t0 + 3 * day),
    ]);
    expect(worked.store.get('c1')?.clock).toMatchObject({
      status: 'worked',
      stoppedAt: t0 + 2 * hour,
      stopCause: 'touch:call',
    });
    expect(worked.effects.alerts).toEqual([]);
  });

  test('a clock that runs out warns, breaches, then escalates: notify the manager after 4h, reassign after 1d', () => {
    const { store, effects } = run([
      contact('c2', t0, vpMarketing, 'lee@acme.io'),
      activity('c2', t0, 'demo-requested'),
      tick(t0 + 20 * hour),
      tick(t0 + 30 * hour),
      tick(t0 + 49 * hour),
    ]);
    const kinds = effects.notifications.map((note) => `${note.kind}@${(note.at - t0) / hour}h`);
    expect(kinds).toEqual([
      'hot-lead-routed@0h',
      'sla-at-risk@18h',
      'sla-breached@24h',
      'sla-escalated@28h',
      'sla-escalated@48h',
    ]);
    expect(effects.alerts.map((alert) => alert.kind)).toEqual([
      'sla-breached',
      'sla-escalated',
      'sla-escalated',
    ]);
    expect(effects.assignments.map((assignment) => assignment.repId)).toEqual(['alex', 'sam']);
    const state = store.get('c2');
    expect(state?.owner?.repId).toBe('sam');
    expect(state?.clock).toMatchObject({ status: 'open', repId: 'sam', startedAt: t0 + 48 * hour });
    const first = effects.clocks.find((clock) => clock.repId === 'alex');
    expect(first).toMatchObject({ status: 'breached', breachedAt: t0 + day, escalated: 2 });
  });

  test('effects hold one row per clock, its latest version, also when the caller empties or fills the list', () => {
    const world = makeWorld();
    const store = createMemoryStateStore(world);
    const effects: EngineEffects = emptyEffects();
    const steps = [
      contact('c9', t0, vpMarketing, 'c9@acme.io'),
      activity('c9', t0, 'demo-requested'),
      contact('c10', t0, vpMarketing, 'c10@acme.io'),
      activity('c10', t0, 'demo-requested'),
      tick(t0 + 20 * hour),
    ];
    for (const step of steps) processStep(world, store, step, effects);
    expect(effects.clocks.map((clock) => [clock.contactId, clock.atRiskSent])).toEqual([
      ['c9', true],
      ['c10', true],
    ]);
    // The caller empties the list (a batch was written), then adds a row of its own.
    const c10Clock = effects.clocks[1];
    effects.clocks.length = 0;
    processStep(world, store, tick(t0 + 25 * hour), effects);
    // A tick settles its contacts in id order.
    expect(effects.clocks.map((clock) => [clock.contactId, clock.status])).toEqual([
      ['c10', 'breached'],
      ['c9', 'breached'],
    ]);
    effects.clocks.splice(0, effects.clocks.length, { ...(c10Clock as (typeof effects.clocks)[number]) });
    processStep(world, store, tick(t0 + 30 * hour), effects);
    expect(effects.clocks.map((clock) => [clock.contactId, clock.escalated])).toEqual([
      ['c10', 1],
      ['c9', 1],
    ]);
  });

  test('a lead is reassigned once per hand-over; the next owner can breach but is not replaced again', () => {
    const { effects } = run([
      contact('c4', t0, vpMarketing, 'c4@acme.io'),
      activity('c4', t0, 'demo-requested'),
      tick(t0 + 49 * hour),
      tick(t0 + 200 * hour),
    ]);
    expect(effects.assignments.map((assignment) => assignment.repId)).toEqual(['alex', 'sam']);
    expect(effects.alerts.map((alert) => alert.kind)).toEqual([
      'sla-breached',
      'sla-escalated',
      'sla-escalated',
      'sla-breached',
    ]);
  });

  test('a breached clock that is then worked stops escalating', () => {
    const { effects, store } = run([
      contact('c5', t0, vpMarketing, 'c5@acme.io'),
      activity('c5', t0, 'demo-requested'),
      { kind: 'touch', seq: ++seq, at: t0 + 26 * hour, contactId: 'c5', repId: 'alex', touchKind: 'call' },
      tick(t0 + 60 * hour),
    ]);
    expect(effects.alerts.map((alert) => alert.kind)).toEqual(['sla-breached']);
    expect(store.get('c5')?.clock).toMatchObject({
      status: 'breached',
      stoppedAt: t0 + 26 * hour,
      repId: 'alex',
    });
    expect(effects.assignments).toHaveLength(1);
  });

  test('a contact known only by its traits has the quadrant of its fit, dated when it was learnt', () => {
    const { store } = run([contact('c8', t0, vpMarketing, 'c8@acme.io')]);
    expect(store.get('c8')).toMatchObject({
      started: false,
      quadrant: 'nurture',
      now: t0,
      fit: { score: 75 },
    });
  });

  test('an anonymous visitor is not handed to sales until it gives an e-mail', () => {
    const { effects, store } = run([
      {
        kind: 'contact',
        seq: ++seq,
        at: t0,
        contactId: 'c6',
        email: null,
        accountId: null,
        traits: vpMarketing,
        mergedIntoId: null,
      },
      activity('c6', t0, 'demo-requested'),
    ]);
    expect(store.get('c6')?.position.stage).toBe('mql');
    expect(effects.assignments).toEqual([]);
    const later = run([
      {
        kind: 'contact',
        seq: ++seq,
        at: t0,
        contactId: 'c7',
        email: null,
        accountId: null,
        traits: vpMarketing,
        mergedIntoId: null,
      },
      activity('c7', t0, 'demo-requested'),
      contact('c7', t0 + hour, vpMarketing, 'c7@acme.io'),
    ]);
    expect(later.effects.assignments.map((assignment) => assignment.repId)).toEqual(['alex']);
  });

  test('a fact after the deadline fires the breach first, at the deadline', () => {
    const { effects } = run([
      contact('c3', t0, vpMarketing, 'kim@acme.io'),
      activity('c3', t0, 'demo-requested'),
      { kind: 'touch', seq: ++seq, at: t0 + 25 * hour, contactId: 'c3', repId: 'alex', touchKind: 'email' },
    ]);
    const clock = effects.clocks.at(-1);
    expect(clock).toMatchObject({ status: 'breached', breachedAt: t0 + day, stoppedAt: t0 + 25 * hour });
  });
});

describe('the funnel after hand-over', () => {
  const handed = (id: string): EngineStep[] => [
    contact(id, t0, vpMarketing, `${id}@acme.io`),
    activity(id, t0, 'demo-requested'),
  ];

  test('accept → SQL, deal created → opportunity, won → customer; the furthest stage follows', () => {
    const { store, effects } = run([
      ...handed('d1'),
      {
        kind: 'feedback',
        seq: ++seq,
        at: t0 + hour,
        contactId: 'd1',
        repId: 'alex',
        verdict: 'accept',
        reason: null,
      },
      { kind: 'deal', seq: ++seq, at: t0 + 2 * day, contactId: 'd1', event: 'created', reason: null },
      { kind: 'deal', seq: ++seq, at: t0 + 40 * day, contactId: 'd1', event: 'won', reason: null },
    ]);
    expect(effects.transitions.map((move) => move.to)).toEqual([
      'subscriber',
      'mql',
      'sql',
      'opportunity',
      'customer',
    ]);
    expect(store.get('d1')?.position).toMatchObject({ stage: 'customer', furthest: 'customer' });
    expect(store.get('d1')?.clock).toMatchObject({ status: 'worked', stopCause: 'feedback:accept' });
  });

  test('a deal created for an MQL skips to opportunity along the allowed moves', () => {
    const { effects } = run([
      ...handed('d2'),
      { kind: 'deal', seq: ++seq, at: t0 + day, contactId: 'd2', event: 'created', reason: null },
    ]);
    expect(effects.transitions.at(-1)).toMatchObject({
      from: 'mql',
      to: 'opportunity',
      cause: 'rule',
      ruleId: 'entry:opportunity',
    });
  });

  test('recycle with a reason detours, notifies, returns to lead after the reason’s days and needs new evidence', () => {
    const { store, effects } = run([
      ...handed('d3'),
      {
        kind: 'feedback',
        seq: ++seq,
        at: t0 + hour,
        contactId: 'd3',
        repId: 'alex',
        verdict: 'recycle',
        reason: 'wrong-contact',
      },
      tick(t0 + hour + 14 * day),
    ]);
    const moves = effects.transitions.map((move) => `${move.to}:${move.cause}`);
    expect(moves.slice(-2)).toEqual(['recycled:person', 'lead:system']);
    const recycled = effects.notifications.find((note) => note.kind === 'lead-recycled');
    expect(recycled?.payload).toMatchObject({
      reason: { id: 'wrong-contact', label: 'Right company, wrong person' },
    });
    // The old demo request does not count again, and 15 days of decay took it below hot.
    expect(store.get('d3')?.position.stage).toBe('lead');
  });

  test('reject disqualifies for good; a lost deal returns the contact to lead at once', () => {
    const rejected = run([
      ...handed('d4'),
      {
        kind: 'feedback',
        seq: ++seq,
        at: t0 + hour,
        contactId: 'd4',
        repId: 'alex',
        verdict: 'reject',
        reason: 'spam',
      },
      activity('d4', t0 + 2 * hour, 'demo-requested'),
    ]);
    expect(rejected.store.get('d4')?.position.stage).toBe('disqualified');
    const lost = run([
      ...handed('d5'),
      {
        kind: 'feedback',
        seq: ++seq,
        at: t0 + hour,
        contactId: 'd5',
        repId: 'alex',
        verdict: 'accept',
        reason: null,
      },
      { kind: 'deal', seq: ++seq, at: t0 + day, contactId: 'd5', event: 'created', reason: null },
      { kind: 'deal', seq: ++seq, at: t0 + 9 * day, contactId: 'd5', event: 'lost', reason: 'price' },
    ]);
    expect(lost.effects.transitions.map((move) => move.to).slice(-2)).toEqual(['lost', 'lead']);
    expect(lost.store.get('d5')?.position).toMatchObject({ stage: 'lead', furthest: 'opportunity' });
  });

  test('feedback that no detour allows is recorded as a refused move, not a transition', () => {
    const { store, effects } = run([
      contact('d6', t0, vpMarketing, 'd6@acme.io'),
      {
        kind: 'feedback',
        seq: ++seq,
        at: t0 + hour,
        contactId: 'd6',
        repId: 'alex',
        verdict: 'recycle',
        reason: 'not-now',
      },
    ]);
    expect(store.get('d6')?.position.stage).toBe('subscriber');
    expect(effects.alerts.map((alert) => alert.kind)).toEqual(['move-refused']);
  });
});

describe('scores over time and fairness', () => {
  test('interest decays between facts and a hot lead cools to nurture by a timer', () => {
    const { store, effects } = run([
      contact('e1', t0, { ...vpMarketing }, 'e1@acme.io'),
      activity('e1', t0, 'webinar-attended'),
      activity('e1', t0, 'webinar-registered'),
      activity('e1', t0, 'pricing-viewed'),
      tick(t0 + 60 * day),
    ]);
    const state = store.get('e1');
    expect(state?.quadrant).toBe('nurture');
    expect(state?.interestScore).toBeLessThan(40);
    expect(state?.interestScore).toBeGreaterThan(0);
    expect(effects.transitions.map((move) => move.to)).toContain('mql');
  });

  test('leads are shared 2:2:1 across inside sales by capacity', () => {
    const steps: EngineStep[] = [];
    for (let index = 0; index < 50; index++) {
      const id = `f${index}`;
      // One a day, at noon in New York, so Sam's daily cap of 25 never binds.
      const at = t0 + index * day;
      steps.push(contact(id, at, vpMarketing, `${id}@acme.io`), activity(id, at, 'demo-requested'));
    }
    const { effects } = run(steps);
    const counts: Record<string, number> = {};
    for (const assignment of effects.assignments)
      counts[assignment.repId ?? 'none'] = (counts[assignment.repId ?? 'none'] ?? 0) + 1;
    expect(counts).toEqual({ alex: 20, sam: 20, riley: 10 });
  });

  test('the same steps give the same rows, ids included (replay is the same fold)', () => {
    const steps = [
      contact('g1', t0, vpMarketing, 'g1@acme.io'),
      activity('g1', t0 + 1, 'demo-requested'),
      tick(t0 + 2 * day),
    ];
    const first = run(steps);
    const second = run(JSON.parse(JSON.stringify(steps)) as EngineStep[]);
    expect(second.effects).toEqual(first.effects);
    expect(second.world.routing).toEqual(first.world.routing);
  });
});
