import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { describeDistribution } from './describe-distribution.ts';
import { routeLead } from './route-lead.ts';
import { emptyRoutingState } from './routing-state.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

/** A deep copy of plain data (JSON-safe: no dates or functions inside). */
function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function routeFive() {
  let state = emptyRoutingState();
  for (let index = 0; index < 5; index += 1) {
    const at = new Date('2027-03-09T15:00:00Z');
    state = routeLead(agreement, state, { at, matches: () => false, personas: [] }).state;
  }
  return state;
}

describe('describeDistribution', () => {
  test('shows each rep’s leads next to its capacity share', () => {
    expect(describeDistribution(agreement, routeFive(), 'inside-sales')).toEqual({
      teamId: 'inside-sales',
      day: '2027-03-09',
      assignedTotal: 5,
      reps: [
        {
          repId: 'alex',
          name: 'Alex Rivera',
          capacity: 1,
          away: false,
          assignedTotal: 2,
          assignedToday: 2,
          expectedShare: 0.4,
          actualShare: 0.4,
        },
        {
          repId: 'sam',
          name: 'Sam Chen',
          capacity: 1,
          away: false,
          assignedTotal: 2,
          assignedToday: 2,
          expectedShare: 0.4,
          actualShare: 0.4,
        },
        {
          repId: 'riley',
          name: 'Riley Novak',
          capacity: 0.5,
          away: false,
          assignedTotal: 1,
          assignedToday: 1,
          expectedShare: 0.2,
          actualShare: 0.2,
        },
      ],
    });
  });

  test.each([
    ['the same local day', '2027-03-10T04:30:00Z', [2, 2, 1]],
    ['the next local day', '2027-03-10T05:30:00Z', [0, 0, 0]],
  ])('counts today’s leads as of %s', (_name, at, expected) => {
    const distribution = describeDistribution(agreement, routeFive(), 'inside-sales', new Date(at));
    expect(distribution?.reps.map((rep) => rep.assignedToday)).toEqual(expected);
  });

  test('gives away reps no expected share and a team without leads no actual share', () => {
    const source = copyOf(agreement);
    const team = source.teams.find((candidate) => candidate.id === 'enterprise-sales');
    if (team?.reps[1]) team.reps[1].away = true;
    const distribution = describeDistribution(source, emptyRoutingState(), 'enterprise-sales');
    expect(distribution?.day).toBeUndefined();
    expect(distribution?.reps.map((rep) => [rep.repId, rep.expectedShare, rep.actualShare])).toEqual([
      ['taylor', 1, 0],
      ['jamie', 0, 0],
    ]);
  });

  test('is undefined for an unknown team', () => {
    expect(describeDistribution(agreement, emptyRoutingState(), 'no-such-team')).toBeUndefined();
  });
});
