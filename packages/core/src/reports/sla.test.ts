import { describe, expect, test } from 'vitest';
import type { PersonFacts } from './lead-value.ts';
import { buildSla, type ClockFacts } from './sla.ts';
import { defaultAgreement, march, moves } from './test-world.ts';
import { buildTimelines } from './timeline.ts';

const agreement = defaultAgreement();
// 13:00 in New York (EDT) on Tuesday 16 March: 11.5 of March's 23 working days have passed.
const asOf = new Date('2027-03-16T17:00:00Z');
const timelines = buildTimelines([
  ...moves(
    'p1',
    ['subscriber', '2027-02-20T10:00:00Z'],
    ['lead', '2027-03-02T10:00:00Z'],
    ['mql', '2027-03-03T10:00:00Z'],
  ),
  ...moves(
    'p2',
    ['subscriber', '2027-03-01T12:00:00Z'],
    ['mql', '2027-03-02T12:00:00Z'],
    ['recycled', '2027-03-10T12:00:00Z'],
  ),
  ...moves('p4', ['lead', '2027-02-25T15:00:00Z'], ['mql', '2027-03-10T12:00:00Z']),
  ...moves('p5', ['subscriber', '2027-03-05T15:00:00Z']),
]);
const persons = new Map<string, PersonFacts>([
  ['p1', { fit: 80, fitGrade: 'A', quadrant: 'hot', invalid: false }],
  ['p2', { fit: 55, fitGrade: 'B', quadrant: 'nurture', invalid: false }],
  ['p4', { fit: 30, fitGrade: 'C', quadrant: 'hot', invalid: true }],
]);
const at = (iso: string) => Date.parse(iso);
const assignments = new Map([
  ['p1', [{ teamId: 'inside-sales', at: at('2027-03-03T10:00:00Z') }]],
  ['p2', [{ teamId: 'enterprise-sales', at: at('2027-03-02T12:00:00Z') }]],
  ['p4', [{ teamId: 'inside-sales', at: at('2027-03-10T12:00:00Z') }]],
]);
const clock = (
  teamId: string,
  repId: string,
  started: string,
  deadline: string,
  status: ClockFacts['status'],
  stopped: string | null,
): ClockFacts => ({
  teamId,
  repId,
  startedAt: at(started),
  deadlineAt: at(deadline),
  status,
  stoppedAt: stopped === null ? null : at(stopped),
});
const clocks = [
  clock(
    'inside-sales',
    'alex',
    '2027-03-03T10:00:00Z',
    '2027-03-04T10:00:00Z',
    'worked',
    '2027-03-03T15:00:00Z',
  ),
  clock('enterprise-sales', 'taylor', '2027-03-02T12:00:00Z', '2027-03-03T12:00:00Z', 'breached', null),
  clock(
    'inside-sales',
    'sam',
    '2027-03-10T12:00:00Z',
    '2027-03-11T12:00:00Z',
    'breached',
    '2027-03-12T12:00:00Z',
  ),
  clock('inside-sales', 'alex', '2027-03-16T12:00:00Z', '2027-03-17T12:00:00Z', 'open', null),
  clock(
    'inside-sales',
    'sam',
    '2027-03-05T12:00:00Z',
    '2027-03-06T12:00:00Z',
    'cancelled',
    '2027-03-05T13:00:00Z',
  ),
  clock('inside-sales', 'alex', '2027-02-27T12:00:00Z', '2027-02-28T12:00:00Z', 'breached', null),
];
const report = buildSla({
  agreement,
  agreementVersion: 2,
  period: { ...march, label: '2027-03' },
  asOf,
  timelines,
  persons,
  assignments,
  clocks,
  basis: { closeRateByGrade: {}, averageDealSize: null },
});

describe('buildSla: marketing', () => {
  test('counts delivered value in points by fit grade, leaving invalid leads out', () => {
    expect(report.marketing.total).toMatchObject({
      target: 400,
      leads: 3,
      invalid: 1,
      value: 5,
      attainment: 0.0125,
    });
    expect(report.marketing.byGrade).toEqual([
      { grade: 'A', leads: 1, value: 3 },
      { grade: 'B', leads: 1, value: 2 },
      { grade: 'C', leads: 1, value: 0 },
    ]);
  });

  test('sets delivery against the pace line of elapsed business days, with a linear projection', () => {
    expect(report.marketing.total.pace).toEqual({
      businessDays: { elapsed: 11.5, total: 23 },
      elapsedShare: 0.5,
      expected: 200,
      projected: 10,
      onPace: false,
    });
  });

  test('splits delivery by team, each on its own calendar', () => {
    const teams = Object.fromEntries(report.marketing.teams.map((team) => [team.team, team]));
    expect(teams['inside-sales']).toMatchObject({ target: 250, leads: 2, invalid: 1, value: 3 });
    expect(teams['inside-sales']?.pace.elapsedShare).toBe(0.5);
    // Enterprise sales works 08:00–18:00 in Chicago: at 12:00 there, 4 of 10 hours of the day are gone.
    expect(teams['enterprise-sales']).toMatchObject({ target: 150, leads: 1, value: 2 });
    expect(teams['enterprise-sales']?.pace).toMatchObject({
      businessDays: { elapsed: 11.4, total: 23 },
      elapsedShare: 0.4957,
    });
  });
});

describe('buildSla: sales', () => {
  test('counts only clocks that were worked or whose deadline passed, and open breaches', () => {
    expect(report.sales.total).toEqual({
      team: null,
      handed: 4,
      due: 3,
      workedWithinDeadline: 1,
      compliance: 0.3333,
      breaches: 2,
      openBreaches: 1,
      met: false,
    });
    expect(report.sales.teams).toEqual([
      {
        team: 'inside-sales',
        handed: 3,
        due: 2,
        workedWithinDeadline: 1,
        compliance: 0.5,
        breaches: 1,
        openBreaches: 0,
      },
      {
        team: 'enterprise-sales',
        handed: 1,
        due: 1,
        workedWithinDeadline: 0,
        compliance: 0,
        breaches: 1,
        openBreaches: 1,
      },
    ]);
    expect(report.sales.reps.map((rep) => [rep.team, rep.rep, rep.handed, rep.due, rep.compliance])).toEqual([
      ['enterprise-sales', 'taylor', 1, 1, 0],
      ['inside-sales', 'alex', 2, 1, 1],
      ['inside-sales', 'sam', 1, 1, 0],
    ]);
  });

  test('projects the delivered value itself once the period is over', () => {
    const closed = buildSla({
      agreement,
      agreementVersion: 2,
      period: { ...march, label: '2027-03' },
      asOf: new Date('2027-04-02T00:00:00Z'),
      timelines,
      persons,
      assignments,
      clocks,
      basis: { closeRateByGrade: {}, averageDealSize: null },
    });
    expect(closed.marketing.total.pace).toMatchObject({ elapsedShare: 1, expected: 400, projected: 5 });
    // The clock still open at its deadline (the engine had not marked it yet) is a breach, untouched.
    expect(closed.sales.total).toMatchObject({ due: 4, breaches: 3, openBreaches: 2 });
  });
});
