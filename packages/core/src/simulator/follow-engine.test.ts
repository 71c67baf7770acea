import { describe, expect, test } from 'vitest';
import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import type { Assignment, EngineAlert, EngineEffects } from '../engine/contact-engine.ts';
import { type SimulatedFact, simulate } from './simulate.ts';
import { createSimulatedEngine } from './simulated-engine.ts';

function agreementFrom(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

const agreement = agreementFrom(defaultAgreementYaml);
const start = new Date('2027-01-01T00:00:00.000Z');

type Violation = { contact: number; kind: string; at: string; problem: string };
/** An assignment, and whether it was a hand-over (the start of an episode) or a reassignment. */
type Routed = Assignment & { handOver: boolean };

function groupByContact(assignments: readonly Routed[]): Routed[][] {
  const groups = new Map<string, Routed[]>();
  for (const assignment of assignments) {
    const list = groups.get(assignment.contactId) ?? [];
    list.push(assignment);
    groups.set(assignment.contactId, list);
  }
  return [...groups.values()];
}

/**
 * Folds a simulation's facts through the engine on their own, in order, as the server folds a
 * loaded history, and checks every sales fact against what the engine had decided by then: the
 * owner once the contact's overdue timers have fired (they fire before the fact; a touch or
 * feedback changes neither owner nor hand-over), the hand-over before a deal event (a lost deal
 * ends the episode).
 */
function audit(facts: readonly SimulatedFact[], with_ = agreement) {
  const engine = createSimulatedEngine(with_);
  const violations: Violation[] = [];
  const assignments: Routed[] = [];
  const alerts: EngineAlert[] = [];
  const keep = (effects: EngineEffects) => {
    for (const assignment of effects.assignments) {
      const state = engine.stateOf(engine.contactIndexOf(assignment.contactId));
      assignments.push({ ...assignment, handOver: state?.handedAt === assignment.at });
    }
    alerts.push(...effects.alerts);
  };
  let checked = 0;
  for (const fact of facts) {
    const at = fact.at.getTime();
    const handedBefore = engine.stateOf(fact.contactIndex)?.handedAt;
    keep(engine.apply(fact));
    if (fact.kind === 'segment') continue;
    checked += 1;
    const state = engine.stateOf(fact.contactIndex);
    const handedAt = fact.kind === 'deal-event' ? handedBefore : state?.handedAt;
    const flag = (problem: string) =>
      violations.push({ contact: fact.contactIndex, kind: fact.kind, at: fact.at.toISOString(), problem });
    if (handedAt === undefined) flag('not handed over');
    else if (!(at > handedAt)) flag('before the hand-over');
    if (fact.kind !== 'deal-event') {
      if (state?.owner?.repId !== fact.record.repId)
        flag(`by ${fact.record.repId}, owner ${state?.owner?.repId ?? 'none'}`);
      else if (!(at > state.owner.since)) flag('before the rep got the lead');
    }
  }
  return { violations, assignments, alerts, checked, engine };
}

const year = [...simulate({ contacts: 1500, months: 12, seed: 11, start, agreement }).facts];
const audited = audit(year);

describe('followEngine', () => {
  test('has every touch, feedback and deal event done by the rep the engine assigned, after the hand-over', () => {
    expect(audited.checked).toBeGreaterThan(1000);
    expect(audited.violations).toEqual([]);
  });

  test('gives feedback only on leads the engine handed over, and only feedback it follows', () => {
    const feedback = year.filter((fact) => fact.kind === 'feedback');
    expect(feedback.length).toBeGreaterThan(100);
    expect(audited.alerts.filter((alert) => alert.kind === 'move-refused')).toEqual([]);
    expect(audited.violations.filter((violation) => violation.kind === 'feedback')).toEqual([]);
  });

  test('works the leads of every rep the engine routes to, including leads it reassigned', () => {
    const reps = new Set(agreement.teams.flatMap((team) => team.reps.map((rep) => rep.id)));
    const assigned = new Set(audited.assignments.flatMap((a) => (a.repId === null ? [] : [a.repId])));
    const working = new Set(year.flatMap((fact) => (fact.kind === 'touch' ? [fact.record.repId] : [])));
    expect(assigned).toEqual(reps);
    expect(working).toEqual(reps);

    // A lead reassigned after a missed deadline is worked by its new rep.
    const reassigned = groupByContact(audited.assignments).filter((list) => {
      const last = list.at(-1) as Routed;
      return !last.handOver && last.repId !== null;
    });
    expect(reassigned.length).toBeGreaterThan(0);
    const workedByNewRep = reassigned.filter((list) => {
      const last = list.at(-1) as Routed;
      const index = audited.engine.contactIndexOf(last.contactId);
      return year.some(
        (fact) =>
          fact.contactIndex === index &&
          fact.kind === 'touch' &&
          fact.record.repId === last.repId &&
          fact.at.getTime() > last.at,
      );
    });
    expect(workedByNewRep.length).toBeGreaterThan(0);
  });

  test('hands leads back to sales after a recycle, as the engine decides', () => {
    const recycled = new Set(
      year.flatMap((fact) =>
        fact.kind === 'feedback' && fact.record.verdict === 'recycle' ? [fact.contactIndex] : [],
      ),
    );
    expect(recycled.size).toBeGreaterThan(10);
    const handOvers = groupByContact(audited.assignments.filter((a) => a.handOver));
    const again = handOvers.filter((list) => list.length > 1);
    expect(again.length).toBeGreaterThan(0);
    // …and the rep it went back to works it again.
    const workedAgain = again.filter((list) => {
      const last = list.at(-1) as Routed;
      const index = audited.engine.contactIndexOf(last.contactId);
      return year.some(
        (fact) => fact.contactIndex === index && fact.kind === 'touch' && fact.at.getTime() > last.at,
      );
    });
    expect(workedAgain.length).toBeGreaterThan(0);
  });

  test('follows a different agreement: its reps and its rules', () => {
    const custom = agreementFrom(
      defaultAgreementYaml
        .replace(/id: alex, name: Alex Rivera/, 'id: robin, name: Robin Alvarez')
        .replace('capacity: 1, away: false', 'capacity: 1, away: true'),
    );
    const facts = [...simulate({ contacts: 600, months: 6, seed: 4, start, agreement: custom }).facts];
    const { violations, checked } = audit(facts, custom);
    expect(checked).toBeGreaterThan(100);
    expect(violations).toEqual([]);
    const reps = new Set(facts.flatMap((fact) => (fact.kind === 'touch' ? [fact.record.repId] : [])));
    expect(reps.has('robin')).toBe(true);
    expect(reps.has('alex')).toBe(false);
    expect(reps.has('jamie')).toBe(false); // away
  });
});
