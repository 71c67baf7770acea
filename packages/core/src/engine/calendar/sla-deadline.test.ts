import { describe, expect, test } from 'vitest';
import type { Agreement, QuadrantId } from '../../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { escalationAt, escalationSteps, slaDeadline } from './sla-deadline.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

/** A deep copy of plain data (JSON-safe: no dates or functions inside). */
function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function withQuadrant(quadrant: QuadrantId, changes: Partial<Agreement['quadrants']['hot']>): Agreement {
  const changed = copyOf(agreement);
  changed.quadrants[quadrant] = { ...changed.quadrants[quadrant], ...changes };
  return changed;
}

describe('slaDeadline', () => {
  test.each([
    // name, agreement, quadrant, team, handedAt, expected
    [
      'hot leads get 24 wall-clock hours, 24 real hours across spring-forward',
      agreement,
      'hot',
      'inside-sales',
      '2027-03-13T17:00:00Z',
      { deadline: '2027-03-14T17:00:00Z', businessHours: false, within: '24h' },
    ],
    [
      'hot leads get 24 real hours across fall-back',
      agreement,
      'hot',
      'enterprise-sales',
      '2027-11-06T16:00:00Z',
      { deadline: '2027-11-07T16:00:00Z', businessHours: false, within: '24h' },
    ],
    [
      'fan leads get three business days of a 09:00–17:00 New York team (24 open hours)',
      agreement,
      'fan',
      'inside-sales',
      '2027-03-08T15:00:00Z',
      { deadline: '2027-03-11T15:00:00Z', businessHours: true, within: '3d' },
    ],
    [
      'three business days across a weekend and spring-forward end at the same local time, an hour earlier in UTC',
      agreement,
      'fan',
      'inside-sales',
      '2027-03-12T15:00:00Z',
      { deadline: '2027-03-17T14:00:00Z', businessHours: true, within: '3d' },
    ],
    [
      'fan leads of an 08:00–18:00 Chicago team get 30 open hours, ending exactly at closing',
      agreement,
      'fan',
      'enterprise-sales',
      '2027-03-08T14:00:00Z',
      { deadline: '2027-03-11T00:00:00Z', businessHours: true, within: '3d' },
    ],
    [
      'fan leads handed over on Thanksgiving start counting the next day and may end at closing',
      agreement,
      'fan',
      'inside-sales',
      '2027-11-25T15:00:00Z',
      { deadline: '2027-11-30T22:00:00Z', businessHours: true, within: '3d' },
    ],
    [
      'a business-hours deadline handed over after closing on a Friday in Chicago',
      withQuadrant('hot', { firstTouchWithin: '4h', businessHours: true }),
      'hot',
      'enterprise-sales',
      '2027-11-05T23:30:00Z',
      { deadline: '2027-11-08T18:00:00Z', businessHours: true, within: '4h' },
    ],
    [
      'a team without a calendar falls back to wall-clock time and says so',
      agreement,
      'fan',
      'no-such-team',
      '2027-03-08T15:00:00Z',
      { deadline: '2027-03-11T15:00:00Z', businessHours: false, within: '3d', fallback: 'no-team-calendar' },
    ],
  ] as const)('%s', (_name, source, quadrant, teamId, handedAt, expected) => {
    const result = slaDeadline(source, { handedAt: new Date(handedAt), quadrant, teamId });
    expect(result).toEqual({ ...expected, deadline: new Date(expected.deadline) });
  });

  test.each(['nurture', 'drop'] as const)(
    'has no deadline for %s leads, which are not for sales',
    (quadrant) => {
      const handedAt = new Date('2027-03-08T15:00:00Z');
      expect(slaDeadline(agreement, { handedAt, quadrant, teamId: 'inside-sales' })).toBeUndefined();
    },
  );
});

describe('escalationSteps', () => {
  test.each([
    [
      'an ordinary deadline',
      '2027-03-09T14:30:00Z',
      [
        { at: '2027-03-09T18:30:00Z', action: 'notify-manager', step: 1 },
        { at: '2027-03-10T14:30:00Z', action: 'reassign', step: 2 },
      ],
    ],
    [
      'a deadline before spring-forward, counted in wall-clock time',
      '2027-03-13T17:00:00Z',
      [
        { at: '2027-03-13T21:00:00Z', action: 'notify-manager', step: 1 },
        { at: '2027-03-14T17:00:00Z', action: 'reassign', step: 2 },
      ],
    ],
  ])('fires the agreement steps after %s', (_name, deadline, expected) => {
    expect(escalationSteps(agreement, new Date(deadline))).toEqual(
      expected.map((step) => ({ ...step, at: new Date(step.at) })),
    );
    // The engine's shortcut to one step answers the same instants, and nothing past the last.
    expect(expected.map((_step, index) => escalationAt(agreement, Date.parse(deadline), index))).toEqual(
      expected.map((step) => Date.parse(step.at)),
    );
    expect(escalationAt(agreement, Date.parse(deadline), expected.length)).toBeUndefined();
  });

  test('has no steps when the agreement lists none', () => {
    const quiet = copyOf(agreement);
    quiet.sla.sales.escalation = [];
    expect(escalationSteps(quiet, new Date('2027-03-09T14:30:00Z'))).toEqual([]);
  });
});
