import { describe, expect, test } from 'vitest';
import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { type SimulatedFact, simulate } from './simulate.ts';

function agreementFrom(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

const agreement = agreementFrom(defaultAgreementYaml);
const start = new Date('2027-01-01T00:00:00.000Z');

type Message = {
  type: string;
  messageId: string;
  timestamp: string;
  anonymousId?: string;
  userId?: string;
  event?: string;
  groupId?: string;
  previousId?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context?: { ip?: string; userAgent?: string; page?: { path?: string; url?: string } };
};

function run(contacts: number, months: number, seed = 1, with_ = agreement) {
  const simulation = simulate({ contacts, months, seed, start, agreement: with_ });
  return { truth: simulation.truth, facts: [...simulation.facts] };
}

const small = run(300, 4);
const year = run(3000, 12);

function messages(facts: readonly SimulatedFact[]): Message[] {
  return facts.flatMap((fact) => (fact.kind === 'segment' ? [fact.message as Message] : []));
}

describe('simulate', () => {
  test('gives identical facts for the same seed and different facts for another', () => {
    const again = run(300, 4);
    expect(JSON.stringify(again.facts)).toBe(JSON.stringify(small.facts));
    expect(JSON.stringify(run(300, 4, 2).facts)).not.toBe(JSON.stringify(small.facts));
  });

  test('generates the same facts on every iteration', () => {
    const simulation = simulate({ contacts: 50, months: 2, seed: 3, start, agreement });
    expect(JSON.stringify([...simulation.facts])).toBe(JSON.stringify([...simulation.facts]));
  });

  test('yields facts in time order, all within [start, start + months)', () => {
    const end = new Date('2028-01-01T00:00:00.000Z').getTime();
    expect(year.truth.end.getTime()).toBe(end);
    let previous = start.getTime();
    for (const fact of year.facts) {
      const at = fact.at.getTime();
      expect(at).toBeGreaterThanOrEqual(previous);
      previous = at;
    }
    expect(previous).toBeLessThan(end);
    expect(new Set(year.facts.map((f) => f.contactIndex)).size).toBe(3000);
  });

  test('produces every kind of fact with idempotency keys that never repeat', () => {
    const kinds = new Set(year.facts.map((f) => f.kind));
    expect(kinds).toEqual(new Set(['segment', 'touch', 'feedback', 'deal-event']));
    const keys = year.facts.map((f) =>
      f.kind === 'segment' ? String(f.message.messageId) : f.record.externalId,
    );
    expect(keys.every((key) => typeof key === 'string' && key.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('sends valid Segment messages with an identity, anonymous until identified', () => {
    const types = new Set<string>();
    const identified = new Set<string>();
    let anonymousFirst = 0;
    for (const fact of year.facts) {
      if (fact.kind !== 'segment') continue;
      const message = fact.message as Message;
      types.add(message.type);
      expect(message.messageId).toMatch(/^sim-/);
      expect(message.timestamp).toBe(fact.at.toISOString());
      expect(message.anonymousId ?? message.userId).toBeTruthy();
      if (message.type === 'track') expect(message.event).toBeTruthy();
      if (message.type === 'page') {
        expect(message.context?.page?.path).toMatch(/^\//);
        expect(message.context?.page?.url).toMatch(/^https:\/\//);
      }
      if (message.type === 'identify') {
        expect(message.userId).toBeTruthy();
        expect(message.traits?.email).toMatch(/^[^@\s]+@[a-z0-9.-]+\.[a-z]+$/);
      }
      if (message.type === 'group') expect(message.groupId).toBeTruthy();
      if (message.type === 'alias') expect(message.previousId).toBeTruthy();
      if (message.userId !== undefined) {
        identified.add(message.userId);
      } else if (message.anonymousId && !identified.has(message.anonymousId)) {
        anonymousFirst += 1;
      }
      expect(message.context?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
    expect(types).toEqual(new Set(['page', 'track', 'identify', 'group', 'alias']));
    expect(anonymousFirst).toBeGreaterThan(1000);

    const firstUserMessage = new Map<number, Message>();
    for (const fact of year.facts) {
      if (
        fact.kind === 'segment' &&
        (fact.message as Message).userId &&
        !firstUserMessage.has(fact.contactIndex)
      ) {
        firstUserMessage.set(fact.contactIndex, fact.message as Message);
      }
    }
    expect([...firstUserMessage.values()].every((m) => m.type === 'identify')).toBe(true);
  });

  test('uses business and free-mail addresses and traits the fit rules read', () => {
    const identifies = messages(year.facts).filter((m) => m.type === 'identify');
    const emails = identifies.map((m) => String(m.traits?.email));
    const free = emails.filter((e) => /@(gmail|yahoo|outlook|hotmail|icloud|proton)\./.test(e)).length;
    expect(free / emails.length).toBeGreaterThan(0.05);
    expect(free / emails.length).toBeLessThan(0.4);
    expect(new Set(emails).size).toBe(emails.length);
    for (const trait of [
      'employees',
      'industry',
      'country',
      'title',
      'seniority',
      'buyingRole',
      'emailType',
    ]) {
      expect(
        identifies.filter((m) => m.traits?.[trait] !== undefined).length / identifies.length,
      ).toBeGreaterThan(0.5);
    }
    const employees = identifies.flatMap((m) =>
      typeof m.traits?.employees === 'number' ? [m.traits.employees] : [],
    );
    expect(employees.some((n) => n < 50)).toBe(true);
    expect(employees.some((n) => n >= 1000)).toBe(true);
  });

  test('sends only event names and pages the agreement classifies, or deliberate noise', () => {
    const known = new Set(agreement.interest.activities.flatMap((a) => a.match.events ?? []));
    const events = new Set(
      messages(year.facts).flatMap((m) => (m.type === 'track' && m.event ? [m.event] : [])),
    );
    for (const event of events) {
      expect(known.has(event) || year.truth.noiseEvents.includes(event), event).toBe(true);
    }
    expect([...known].filter((event) => !events.has(event))).toEqual([]);
    const paths = new Set(
      messages(year.facts).flatMap((m) => (m.type === 'page' ? [String(m.context?.page?.path)] : [])),
    );
    expect(paths.has('/pricing')).toBe(true);
    expect(paths.has('/careers')).toBe(true);
    expect([...paths].some((path) => year.truth.noisePaths.includes(path))).toBe(true);
  });

  test('names only reps and reasons of the agreement', () => {
    const reps = new Set(agreement.teams.flatMap((team) => team.reps.map((rep) => rep.id)));
    const reasons = {
      reject: new Set(agreement.feedback.rejectReasons.map((r) => r.id)),
      recycle: new Set(agreement.feedback.recycleReasons.map((r) => r.id)),
      accept: new Set<string>(),
    };
    const lost = new Set(agreement.feedback.lostReasons.map((r) => r.id));
    const verdicts = new Set<string>();
    for (const fact of year.facts) {
      if (fact.kind === 'touch' || fact.kind === 'feedback') expect(reps.has(fact.record.repId)).toBe(true);
      if (fact.kind === 'feedback') {
        verdicts.add(fact.record.verdict);
        if (fact.record.reason !== undefined)
          expect(reasons[fact.record.verdict].has(fact.record.reason)).toBe(true);
        if (fact.record.rating !== undefined) expect([1, 2, 3, 4, 5]).toContain(fact.record.rating);
      }
      if (fact.kind === 'deal-event' && fact.record.kind === 'lost')
        expect(lost.has(String(fact.record.reason))).toBe(true);
    }
    expect(verdicts).toEqual(new Set(['accept', 'reject', 'recycle']));
  });

  test('opens deals before deciding them, with amounts in the agreement currency', () => {
    const deals = new Map<string, string[]>();
    for (const fact of year.facts) {
      if (fact.kind !== 'deal-event') continue;
      const record = fact.record;
      deals.set(record.dealId, [...(deals.get(record.dealId) ?? []), record.kind]);
      if (record.amount !== undefined) expect(record.amount).toMatch(/^\d+$/);
      if (record.kind === 'created') {
        expect(record.currency).toBe(agreement.currency);
        expect(record.closeDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
    expect(deals.size).toBeGreaterThan(50);
    for (const [id, kinds] of deals) {
      expect(id).toMatch(/^sim:deal-/);
      expect(kinds[0]).toBe('created');
      expect(kinds.filter((k) => k === 'won' || k === 'lost').length).toBeLessThanOrEqual(1);
    }
    const decided = [...deals.values()].map((kinds) => kinds.at(-1));
    expect(decided.filter((k) => k === 'won').length).toBeGreaterThan(30);
    expect(decided.filter((k) => k === 'lost').length).toBeGreaterThan(30);
  });

  test('makes close rates differ by activity in the direction the truth says', () => {
    const did = new Map<number, Set<string>>();
    const customers = new Set<number>();
    for (const fact of year.facts) {
      const done = did.get(fact.contactIndex) ?? new Set<string>();
      did.set(fact.contactIndex, done);
      if (fact.kind === 'segment') {
        const message = fact.message as Message;
        if (message.type === 'track' && message.event) done.add(message.event);
        if (message.type === 'page' && String(message.context?.page?.path).startsWith('/pricing'))
          done.add('pricing');
      }
      if (fact.kind === 'deal-event' && fact.record.kind === 'won') customers.add(fact.contactIndex);
    }
    const closeRate = (filter: (done: Set<string>) => boolean) => {
      const group = [...did].filter(([, done]) => filter(done));
      return group.filter(([contact]) => customers.has(contact)).length / group.length;
    };
    const average = customers.size / did.size;
    const demo = closeRate((d) => d.has('Demo Requested'));
    const pricing = closeRate((d) => d.has('pricing'));
    const webinar = closeRate((d) => d.has('Webinar Attended'));
    const content = closeRate((d) => d.has('Content Downloaded'));
    const nothing = closeRate((d) => d.size === 0);
    expect(demo).toBeGreaterThan(3 * average);
    expect(demo).toBeGreaterThan(pricing);
    expect(pricing).toBeGreaterThan(webinar);
    expect(webinar).toBeGreaterThan(content);
    expect(content).toBeGreaterThan(nothing);

    const multipliers = year.truth.activityMultipliers;
    expect(multipliers['demo-requested']).toBeGreaterThan(multipliers['pricing-viewed'] ?? 0);
    expect(multipliers['pricing-viewed']).toBeGreaterThan(multipliers['webinar-attended'] ?? 0);
    expect(multipliers['webinar-attended']).toBeGreaterThan(multipliers['content-downloaded'] ?? 0);
  });

  test('makes contacts of high true fit close far more often than those of low fit', () => {
    const { fit } = year.truth;
    const trueFit = (t: Record<string, unknown>) => {
      if (/student|intern/i.test(String(t.title)) || String(t.email).startsWith('test')) return 0;
      let value: number = fit.base;
      if (typeof t.employees === 'number') {
        value += fit.size[t.employees >= 1000 ? 'enterprise' : t.employees >= 50 ? 'mid-market' : 'small'];
      }
      value += fit.industry[String(t.industry)] ?? 0;
      if ((fit.seniorities as readonly unknown[]).includes(t.seniority)) value += fit.seniorTitle;
      if ((fit.buyingRoles as readonly unknown[]).includes(t.buyingRole)) value += fit.decisionRole;
      if (t.emailType === 'free') value += fit.freeEmail;
      return value;
    };
    const fits = new Map<number, number>();
    const customers = new Set<number>();
    for (const fact of year.facts) {
      const message = fact.kind === 'segment' ? (fact.message as Message) : undefined;
      if (message?.type === 'identify') fits.set(fact.contactIndex, trueFit(message.traits ?? {}));
      if (fact.kind === 'deal-event' && fact.record.kind === 'won') customers.add(fact.contactIndex);
    }
    const closeRate = (low: number, high: number) => {
      const group = [...fits].filter(([, value]) => value >= low && value < high);
      return group.filter(([contact]) => customers.has(contact)).length / group.length;
    };
    expect(closeRate(0.6, 2)).toBeGreaterThan(3 * closeRate(-1, 0.3));
  });

  test('brings fewer new contacts in August and December', () => {
    const firstSeen = new Map<number, number>();
    for (const fact of year.facts)
      if (!firstSeen.has(fact.contactIndex)) firstSeen.set(fact.contactIndex, fact.at.getUTCMonth());
    const perMonth = Array.from(
      { length: 12 },
      (_, month) => [...firstSeen.values()].filter((m) => m === month).length,
    );
    const [jun, jul, aug, sep, oct, nov, dec] = perMonth.slice(5) as number[];
    expect(aug).toBeLessThan(0.8 * Math.min(jun as number, jul as number, sep as number));
    expect(dec).toBeLessThan(0.8 * Math.min(oct as number, nov as number));
  });

  test('closes more deals in the last week of a quarter than a uniform calendar would', () => {
    const wins = year.facts.filter((f) => f.kind === 'deal-event' && f.record.kind === 'won');
    const lastWeek = wins.filter((fact) => {
      const at = fact.at;
      const quarterEnd = Date.UTC(at.getUTCFullYear(), Math.floor(at.getUTCMonth() / 3) * 3 + 3, 1);
      return quarterEnd - at.getTime() < 7 * 86_400_000;
    });
    expect(lastWeek.length / wins.length).toBeGreaterThan(1.5 * (7 / 91));
  });

  test('sends what a different agreement names: its event names and its reps', () => {
    const custom = agreementFrom(
      defaultAgreementYaml
        .replace('match: { events: [Demo Requested] }', 'match: { events: [Meeting Booked] }')
        .replace(/id: alex, name: Alex Rivera/, 'id: robin, name: Robin Alvarez'),
    );
    const { facts, truth } = run(400, 6, 1, custom);
    const events = new Set(messages(facts).map((m) => m.event));
    expect(events.has('Meeting Booked')).toBe(true);
    expect(events.has('Demo Requested')).toBe(false);
    const reps = new Set(facts.flatMap((f) => (f.kind === 'touch' ? [f.record.repId] : [])));
    expect(reps.has('robin')).toBe(true);
    expect(reps.has('alex')).toBe(false);
    expect(truth.behaviours.find((b) => b.behaviour === 'demo-request')).toMatchObject({
      event: 'Meeting Booked',
      activityId: 'demo-requested',
    });
  });

  test('rejects options it cannot simulate', () => {
    expect(() => simulate({ contacts: -1, months: 1, seed: 1, start, agreement })).toThrow();
    expect(() => simulate({ contacts: 1, months: 0, seed: 1, start, agreement })).toThrow();
    expect(() => simulate({ contacts: 1, months: 1, seed: 1.5, start, agreement })).toThrow();
    expect(() => simulate({ contacts: 1, months: 1, seed: 1, start: new Date('nope'), agreement })).toThrow();
    expect([...simulate({ contacts: 0, months: 1, seed: 1, start, agreement }).facts]).toEqual([]);
  });
});
