import { describe, expect, test } from 'vitest';
import type { Agreement } from '../../agreement/agreement-schema.ts';
import type { Condition } from '../../agreement/condition.ts';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { type RouteLeadInput, type RoutingDecision, routeLead } from './route-lead.ts';
import { emptyRoutingState, type RoutingState } from './routing-state.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

/** A deep copy of plain data (JSON-safe: no dates or functions inside). */
function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The default agreement with inside sales' reps changed (Sam's daily cap lifted unless given). */
function withInsideSales(changes: Record<string, { capacity?: number; dailyCap?: number; away?: boolean }>) {
  const changed = copyOf(agreement);
  const team = changed.teams.find((candidate) => candidate.id === 'inside-sales');
  for (const rep of team?.reps ?? []) {
    delete rep.dailyCap;
    Object.assign(rep, changes[rep.id]);
  }
  return changed;
}

const largeCompany = (condition: Condition) => 'trait' in condition && condition.trait === 'employees';
const noRule = () => false;
const tuesdayMorning = new Date('2027-03-09T15:00:00Z'); // 10:00 in New York, 09:00 in Chicago

function lead(overrides: Partial<RouteLeadInput> = {}): RouteLeadInput {
  return { at: tuesdayMorning, matches: noRule, personas: [], ...overrides };
}

/** Routes leads one after the other, threading the state, and returns every decision. */
function routeMany(source: Agreement, inputs: RouteLeadInput[], start: RoutingState = emptyRoutingState()) {
  let state = start;
  const decisions: RoutingDecision[] = [];
  for (const input of inputs) {
    const result = routeLead(source, state, input);
    decisions.push(result.decision);
    state = result.state;
  }
  return { decisions, state };
}

function countByRep(decisions: RoutingDecision[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const decision of decisions) {
    const key = decision.repId ?? 'none';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('routeLead precedence', () => {
  const noAccountOwner = copyOf(agreement);
  noAccountOwner.routing.accountOwnerWins = false;
  const noOwners = copyOf(noAccountOwner);
  noOwners.routing.keepExistingOwner = false;

  test.each([
    [
      'the account owner wins over everything',
      agreement,
      lead({ accountOwnerRepId: 'sam', existingOwnerRepId: 'taylor', matches: largeCompany }),
      {
        repId: 'sam',
        teamId: 'inside-sales',
        reason: { kind: 'account-owner', text: 'Account owner Sam Chen (Inside sales) gets the lead' },
      },
    ],
    [
      'without accountOwnerWins the existing owner keeps the lead',
      noAccountOwner,
      lead({ accountOwnerRepId: 'sam', existingOwnerRepId: 'taylor' }),
      {
        repId: 'taylor',
        teamId: 'enterprise-sales',
        reason: {
          kind: 'existing-owner',
          text: 'Existing owner Taylor Brooks (Enterprise sales) keeps the lead',
        },
      },
    ],
    [
      'without either owner flag the first matching rule decides',
      noOwners,
      lead({ accountOwnerRepId: 'sam', existingOwnerRepId: 'alex', matches: largeCompany }),
      {
        repId: 'taylor',
        teamId: 'enterprise-sales',
        reason: {
          kind: 'rule',
          ruleId: 'large-companies',
          text: 'Rule large-companies (1,000 employees or more go to enterprise sales) → Enterprise sales; Taylor Brooks next by weighted round-robin (capacity 1)',
        },
      },
    ],
    [
      "the first of the contact's personas that has a team decides when no rule matches",
      agreement,
      lead({ personas: ['unknown-persona', 'revops-leader', 'sales-leader'] }),
      {
        repId: 'taylor',
        teamId: 'enterprise-sales',
        reason: {
          kind: 'persona',
          personaId: 'sales-leader',
          text: 'Persona Sales leader → Enterprise sales; Taylor Brooks next by weighted round-robin (capacity 1)',
        },
      },
    ],
    [
      'a rule wins over a persona',
      agreement,
      lead({ personas: ['sales-leader'], matches: largeCompany }),
      { repId: 'taylor', teamId: 'enterprise-sales', reason: { kind: 'rule', ruleId: 'large-companies' } },
    ],
    [
      'the default team takes the rest',
      agreement,
      lead({ personas: ['revops-leader'] }),
      {
        repId: 'alex',
        teamId: 'inside-sales',
        reason: {
          kind: 'default-team',
          text: 'No rule or persona matched → default team Inside sales; Alex Rivera next by weighted round-robin (capacity 1)',
        },
      },
    ],
    [
      'an account owner who is not a rep is passed over',
      agreement,
      lead({ accountOwnerRepId: 'former-rep', existingOwnerRepId: 'jamie' }),
      {
        repId: 'jamie',
        teamId: 'enterprise-sales',
        reason: {
          kind: 'existing-owner',
          text: 'Account owner "former-rep" is not a rep in the agreement; Existing owner Jamie Ortiz (Enterprise sales) keeps the lead',
        },
        skipped: [],
      },
    ],
    [
      'an account owner who is away is passed over to team routing',
      agreement,
      lead({ accountOwnerRepId: 'sam', repOverrides: { sam: { away: true } } }),
      {
        repId: 'alex',
        teamId: 'inside-sales',
        reason: {
          kind: 'default-team',
          text: 'Account owner Sam Chen is away; No rule or persona matched → default team Inside sales; Alex Rivera next by weighted round-robin (capacity 1); skipped Sam Chen (away)',
        },
        skipped: [{ repId: 'sam', why: 'away' }],
      },
    ],
    [
      'an existing owner who is away in the agreement is passed over',
      withInsideSales({ alex: { away: true } }),
      lead({ existingOwnerRepId: 'alex', matches: largeCompany }),
      {
        repId: 'taylor',
        reason: {
          kind: 'rule',
          text: expect.stringMatching(/^Existing owner Alex Rivera is away; Rule large-companies/),
        },
        skipped: [{ repId: 'alex', why: 'away' }],
      },
    ],
  ])('%s', (_name, source, input, expected) => {
    expect(routeLead(source, emptyRoutingState(), input).decision).toMatchObject(expected);
  });

  test('an owner-routed lead counts toward the owner but leaves round-robin credit alone', () => {
    const { state } = routeLead(agreement, emptyRoutingState(), lead({ accountOwnerRepId: 'sam' }));
    expect(state.teams['inside-sales']).toEqual({
      credit: {},
      day: '2027-03-09',
      assignedToday: { sam: 1 },
      assignedTotal: { sam: 1 },
    });
  });

  test('a repOverride can bring back a rep the agreement marks away', () => {
    const source = withInsideSales({ alex: { away: true } });
    const input = lead({ existingOwnerRepId: 'alex', repOverrides: { alex: { away: false } } });
    expect(routeLead(source, emptyRoutingState(), input).decision.repId).toBe('alex');
  });
});

describe('routeLead weighted round-robin', () => {
  test('shares 500 leads 200/200/100 between capacities 1, 1 and 0.5, credits staying within ± the total', () => {
    const source = withInsideSales({});
    let state = emptyRoutingState();
    const decisions: RoutingDecision[] = [];
    for (let index = 0; index < 500; index += 1) {
      const result = routeLead(source, state, lead());
      decisions.push(result.decision);
      state = result.state;
      for (const credit of Object.values(state.teams['inside-sales']?.credit ?? {})) {
        expect(Math.abs(credit)).toBeLessThanOrEqual(2.5);
      }
    }
    const counts = countByRep(decisions);
    expect(Math.abs((counts.alex ?? 0) - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs((counts.sam ?? 0) - 200)).toBeLessThanOrEqual(1);
    expect(Math.abs((counts.riley ?? 0) - 100)).toBeLessThanOrEqual(1);
    // Smooth: the turns interleave rather than coming in runs.
    expect(decisions.slice(0, 5).map((decision) => decision.repId)).toEqual([
      'alex',
      'sam',
      'riley',
      'alex',
      'sam',
    ]);
  });

  test('a daily cap stops a rep until the next local day in the team time zone', () => {
    const source = withInsideSales({ sam: { dailyCap: 3 } });
    const sameDay = Array.from({ length: 15 }, () => lead());
    const first = routeMany(source, sameDay);
    expect(countByRep(first.decisions).sam).toBe(3);
    const lastDecision = first.decisions.at(-1);
    expect(lastDecision?.skipped).toEqual([{ repId: 'sam', why: 'daily-cap' }]);
    expect(lastDecision?.reason.text).toMatch(/skipped Sam Chen \(daily cap of 3 reached\)$/);

    // 23:30 in New York is still the same local day, though it is the next day in UTC.
    const lateEvening = routeMany(
      source,
      Array.from({ length: 5 }, () => lead({ at: new Date('2027-03-10T04:30:00Z') })),
      first.state,
    );
    expect(countByRep(lateEvening.decisions).sam).toBeUndefined();

    // 00:30 the next local day the cap starts again.
    const nextDay = routeMany(
      source,
      Array.from({ length: 10 }, () => lead({ at: new Date('2027-03-10T05:30:00Z') })),
      lateEvening.state,
    );
    expect(countByRep(nextDay.decisions).sam).toBe(3);
    expect(nextDay.state.teams['inside-sales']?.day).toBe('2027-03-10');
    expect(nextDay.state.teams['inside-sales']?.assignedToday.sam).toBe(3);
    expect(nextDay.state.teams['inside-sales']?.assignedTotal.sam).toBe(6);
  });

  test('an away rep is skipped and on return gets its capacity share, not a burst', () => {
    const source = withInsideSales({});
    const before = routeMany(
      source,
      Array.from({ length: 50 }, () => lead()),
    );
    const away = routeMany(
      source,
      Array.from({ length: 40 }, () => lead({ repOverrides: { alex: { away: true } } })),
      before.state,
    );
    expect(countByRep(away.decisions).alex).toBeUndefined();
    expect(away.decisions.every((decision) => decision.skipped.some((entry) => entry.repId === 'alex'))).toBe(
      true,
    );
    // Alex's credit is exactly as he left it.
    expect(away.state.teams['inside-sales']?.credit.alex).toBe(
      before.state.teams['inside-sales']?.credit.alex,
    );

    const back = routeMany(
      source,
      Array.from({ length: 30 }, () => lead()),
      away.state,
    );
    const alexShare = (countByRep(back.decisions).alex ?? 0) / 30;
    expect(Math.abs(alexShare - 1 / 2.5)).toBeLessThanOrEqual(2 / 30);
    const firstFive = back.decisions.slice(0, 5).filter((decision) => decision.repId === 'alex');
    expect(firstFive.length).toBeLessThanOrEqual(2);
  });

  test('ignores reps that were removed from the agreement', () => {
    const state: RoutingState = {
      teams: {
        'inside-sales': {
          credit: { 'former-rep': 1000, alex: 0 },
          day: '2027-03-09',
          assignedToday: { 'former-rep': 4 },
          assignedTotal: { 'former-rep': 40 },
        },
      },
    };
    const { decisions, state: next } = routeMany(
      agreement,
      Array.from({ length: 5 }, () => lead()),
      state,
    );
    expect(decisions.map((decision) => decision.repId)).not.toContain('former-rep');
    expect(next.teams['inside-sales']?.credit).not.toHaveProperty('former-rep');
  });

  test('is deterministic: the same leads in the same order get the same reps', () => {
    const source = withInsideSales({ sam: { dailyCap: 4 } });
    const inputs = Array.from({ length: 120 }, (_, index) =>
      lead({
        at: new Date(Date.UTC(2027, 2, 8 + Math.floor(index / 20), 15, index % 60)),
        matches: index % 3 === 0 ? largeCompany : noRule,
        personas: index % 5 === 0 ? ['sales-leader'] : [],
        repOverrides: index % 7 === 0 ? { alex: { away: true } } : {},
        ...(index % 11 === 0 ? { existingOwnerRepId: 'riley' } : {}),
      }),
    );
    const first = routeMany(source, inputs);
    const second = routeMany(source, inputs);
    expect(second.decisions).toEqual(first.decisions);
    expect(second.state).toEqual(first.state);
  });

  test('does not change the state it is given', () => {
    const state = deepFreeze(
      routeMany(
        agreement,
        Array.from({ length: 3 }, () => lead()),
      ).state,
    );
    const copy = copyOf(state);
    routeLead(agreement, state, lead({ at: new Date('2027-03-12T15:00:00Z') }));
    routeLead(agreement, state, lead({ accountOwnerRepId: 'alex' }));
    expect(state).toEqual(copy);
  });
});

describe('routeLead with no eligible rep', () => {
  test('keeps the team and says why no rep could take the lead', () => {
    const input = lead({
      matches: largeCompany,
      repOverrides: { taylor: { away: true }, jamie: { away: true } },
    });
    const { decision } = routeLead(agreement, emptyRoutingState(), input);
    expect(decision).toEqual({
      repId: null,
      teamId: 'enterprise-sales',
      reason: {
        kind: 'no-eligible-rep',
        ruleId: 'large-companies',
        text: 'Rule large-companies (1,000 employees or more go to enterprise sales) → Enterprise sales; no rep can take it: Taylor Brooks (away), Jamie Ortiz (away)',
      },
      skipped: [
        { repId: 'taylor', why: 'away' },
        { repId: 'jamie', why: 'away' },
      ],
    });
  });

  test('says when the team has no reps at all', () => {
    const source = copyOf(agreement);
    source.routing.defaultTeam = 'demand-gen';
    const { decision } = routeLead(source, emptyRoutingState(), lead());
    expect(decision).toMatchObject({
      repId: null,
      teamId: 'demand-gen',
      reason: { kind: 'no-eligible-rep', text: expect.stringMatching(/the team has no reps$/) },
    });
  });
});
