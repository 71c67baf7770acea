import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import type { SegmentMessage } from '../ingest/records.ts';
import type { SimulatedFact } from './simulate.ts';
import { createSimulatedEngine } from './simulated-engine.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

const hour = 3_600_000;
/** Tuesday 2 March 2027, 15:00 in New York. */
const t0 = Date.parse('2027-03-02T20:00:00Z');

const segment = (at: number, message: SegmentMessage): SimulatedFact => ({
  at: new Date(at),
  contactIndex: 0,
  kind: 'segment',
  message: { messageId: `m-${at}`, timestamp: new Date(at).toISOString(), anonymousId: 'a', ...message },
});

const vp = {
  email: 'Dana.Reyes@Bigco.com',
  title: 'VP Marketing',
  seniority: 'vp',
  department: 'marketing',
  buyingRole: 'decision-maker',
  employees: 400,
  industry: 'Software',
  emailType: 'business',
};

describe('createSimulatedEngine', () => {
  test('reads identify traits, the account of the company domain and classified activities', () => {
    const engine = createSimulatedEngine(agreement);
    engine.apply(segment(t0, { type: 'page', properties: { path: '/pricing' } }));
    expect(engine.stateOf(0)?.interest.activities['pricing-viewed']?.count).toBe(1);
    // The most specific activity only, as ingestion classifies it: no page view besides.
    expect(engine.stateOf(0)?.interest.activities['page-viewed']).toBeUndefined();

    const effects = engine.apply(segment(t0 + hour, { type: 'identify', userId: 'u', traits: vp }));
    expect(engine.stateOf(0)).toMatchObject({ email: 'dana.reyes@bigco.com', accountId: 'bigco.com' });
    expect(engine.stateOf(0)?.fit.grade).toBe('A');
    expect(effects.assignments).toEqual([]);

    const handOver = engine.apply(segment(t0 + 2 * hour, { type: 'track', event: 'Demo Requested' }));
    expect(handOver.assignments).toHaveLength(1);
    expect(engine.stateOf(0)).toMatchObject({
      quadrant: 'hot',
      handedAt: t0 + 2 * hour,
      owner: { repId: handOver.assignments[0]?.repId },
    });
  });

  test('fires the timers of an overdue lead on its next fact: a late touch finds it reassigned', () => {
    const engine = createSimulatedEngine(agreement);
    engine.apply(segment(t0, { type: 'identify', userId: 'u', traits: vp }));
    const [first] = engine.apply(segment(t0 + hour, { type: 'track', event: 'Demo Requested' })).assignments;
    expect(engine.stateOf(0)?.clock?.deadlineAt).toBe(t0 + 25 * hour);
    const touchAt = t0 + 60 * hour; // past the deadline and the reassignment a day after it
    const touch: SimulatedFact = {
      at: new Date(touchAt),
      contactIndex: 0,
      kind: 'touch',
      record: {
        ref: { email: vp.email },
        repId: first?.repId ?? '',
        kind: 'call',
        occurredAt: new Date(touchAt),
        source: 'test',
      },
    };

    const preview = engine.preview(touch);
    expect(preview?.effects.alerts.map((alert) => alert.kind)).toEqual([
      'sla-breached',
      'sla-escalated',
      'sla-escalated',
    ]);
    const reassigned = preview?.state.owner?.repId;
    expect(reassigned).toBeDefined();
    expect(reassigned).not.toBe(first?.repId);
    // A preview changes nothing.
    expect(engine.stateOf(0)?.owner?.repId).toBe(first?.repId);
    expect(engine.stateOf(0)?.clock?.status).toBe('open');

    const applied = engine.apply(touch);
    expect(applied.assignments.map((assignment) => assignment.repId)).toEqual([reassigned]);
    expect(engine.stateOf(0)?.owner?.repId).toBe(reassigned);
  });

  test('previews feedback the engine would refuse from where the lead is', () => {
    const engine = createSimulatedEngine(agreement);
    engine.apply(segment(t0, { type: 'identify', userId: 'u', traits: vp }));
    const feedback = (
      at: number,
      verdict: 'accept' | 'recycle' | 'reject',
      reason?: string,
    ): SimulatedFact => ({
      at: new Date(at),
      contactIndex: 0,
      kind: 'feedback',
      record: {
        ref: { email: vp.email },
        repId: 'alex',
        verdict,
        occurredAt: new Date(at),
        source: 'test',
        ...(reason === undefined ? {} : { reason }),
      },
    });
    const refused = (fact: SimulatedFact) =>
      engine.preview(fact)?.effects.alerts.some((alert) => alert.kind === 'move-refused');
    // Still a subscriber: no recycle or disqualify detour leaves it.
    expect(refused(feedback(t0 + hour, 'recycle', 'not-now'))).toBe(true);
    expect(refused(feedback(t0 + hour, 'reject', 'no-budget'))).toBe(true);
    engine.apply(segment(t0 + hour, { type: 'track', event: 'Demo Requested' }));
    expect(engine.stateOf(0)?.position.stage).toBe('mql');
    expect(refused(feedback(t0 + 2 * hour, 'recycle', 'not-now'))).toBe(false);
    expect(refused(feedback(t0 + 2 * hour, 'recycle'))).toBe(true); // a reason is required
    expect(refused(feedback(t0 + 2 * hour, 'recycle', 'price'))).toBe(true); // not a recycle reason
    expect(refused(feedback(t0 + 2 * hour, 'accept'))).toBe(false);
    expect(engine.stateOf(0)?.position.stage).toBe('mql');
  });
});
