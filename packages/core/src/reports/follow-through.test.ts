import { describe, expect, test } from 'vitest';
import {
  buildFollowThrough,
  type HandOverFacts,
  type TouchFacts,
  type VerdictFacts,
} from './follow-through.ts';
import { defaultAgreement, march } from './test-world.ts';

const at = (iso: string) => Date.parse(iso);
const handOver = (
  personId: string,
  teamId: string,
  repId: string,
  startedAt: string,
  extra: Partial<HandOverFacts> = {},
): HandOverFacts => ({
  personId,
  teamId,
  repId,
  startedAt: at(startedAt),
  businessHours: false,
  status: 'worked',
  ...extra,
});
const touch = (personId: string, kind: string, when: string): TouchFacts => ({
  personId,
  kind,
  at: at(when),
});
const verdict = (
  personId: string,
  kind: VerdictFacts['verdict'],
  reason: string | null,
  when: string,
): VerdictFacts => ({ personId, verdict: kind, reason, at: at(when) });

/**
 * March 2027 in New York. p1 (alex): handed Wed 3 March 10:00Z, emailed 15:00Z, called twice
 * more, accepted. p2 (taylor, enterprise, business-hours clock): handed Fri 5 March 22:00Z
 * (16:00 in Chicago: 2 business hours that day), first call Mon 8 March 15:00Z (09:00 Chicago:
 * 1 more), then recycled "not-now"; handed again on 25 March (recycled and back), never touched
 * since. p3 (sam): handed 1 April 00:30 local = 04:30Z — April, though 31 March would still hold
 * 03:30Z. p4's clock was
 * cancelled (merged). p5 (alex): handed 29 March, a social touch only (not qualifying), rejected
 * as spam; its 7 days are not over at asOf.
 */
function world() {
  return {
    handOvers: [
      handOver('p1', 'inside-sales', 'alex', '2027-03-03T10:00:00Z'),
      handOver('p2', 'enterprise-sales', 'taylor', '2027-03-05T22:00:00Z', {
        businessHours: true,
        status: 'breached',
      }),
      handOver('p2', 'enterprise-sales', 'taylor', '2027-03-25T12:00:00Z', { status: 'breached' }),
      handOver('p3', 'inside-sales', 'sam', '2027-04-01T04:30:00Z', { status: 'open' }),
      handOver('p4', 'inside-sales', 'sam', '2027-03-10T12:00:00Z', { status: 'cancelled' }),
      handOver('p5', 'inside-sales', 'alex', '2027-03-29T12:00:00Z', { status: 'open' }),
    ],
    touches: [
      touch('p1', 'email', '2027-03-03T15:00:00Z'),
      touch('p1', 'call', '2027-03-05T15:00:00Z'),
      touch('p1', 'call', '2027-03-12T15:00:00Z'),
      touch('p2', 'call', '2027-03-08T15:00:00Z'),
      touch('p2', 'email', '2027-03-09T15:00:00Z'),
      touch('p3', 'call', '2027-04-01T05:00:00Z'),
      touch('p4', 'call', '2027-03-10T13:00:00Z'),
      touch('p5', 'social', '2027-03-30T12:00:00Z'),
    ],
    verdicts: [
      verdict('p1', 'accept', null, '2027-03-04T10:00:00Z'),
      verdict('p2', 'recycle', 'not-now', '2027-03-10T15:00:00Z'),
      verdict('p5', 'reject', 'spam', '2027-03-30T13:00:00Z'),
    ],
  };
}

const build = (asOf: string, attemptDays?: number) =>
  buildFollowThrough({
    agreement: defaultAgreement(),
    agreementVersion: 3,
    period: march,
    asOf: new Date(asOf),
    filters: {},
    ...(attemptDays === undefined ? {} : { attemptDays }),
    ...world(),
  });

describe('buildFollowThrough', () => {
  test('counts hand-overs of the local month, a recycled lead twice, cancelled clocks not at all', () => {
    const report = build('2027-04-02T12:00:00Z');
    expect(report.total.handed).toBe(4);
    expect(report.total.worked).toBe(2);
    expect(report.total.workedShare).toBe(0.5);
    expect(report).toMatchObject({ report: 'follow-through', agreementVersion: 3, attemptDays: 7 });
    expect(report.qualifyingTouches).toEqual(['call', 'email', 'meeting']);
  });

  test('time to first touch: wall-clock, and business hours where the clock counts them', () => {
    const { timeToFirstTouch } = build('2027-04-02T12:00:00Z').total;
    // p1: 5 h (wall-clock clock); p2: 65 h wall-clock, 3 business hours in Chicago.
    expect(timeToFirstTouch.wallClockHours).toEqual({ median: 35, p90: 59 });
    expect(timeToFirstTouch.slaHours).toEqual({ median: 4, p90: 4.8 });
  });

  test('attempts in the first N days, only for hand-overs whose N days are over', () => {
    const week = build('2027-04-02T12:00:00Z').total.attempts;
    // p1: 2 touches by 10 March (the 12 March call is later); p2 first: 2; p2 again: 0. p5 still open.
    expect(week).toEqual({ measured: 3, average: 1.33, median: 2, none: 1 });
    const fortnight = build('2027-04-20T12:00:00Z', 14).total.attempts;
    // 14 days: p1 3 touches; p2's first window ends at its next hand-over (2); p2 again 0; p5 1.
    expect(fortnight).toEqual({ measured: 4, average: 1.5, median: 1.5, none: 1 });
  });

  test('feedback verdicts with their reasons, by hand-over window', () => {
    const { feedback } = build('2027-04-02T12:00:00Z').total;
    expect(feedback).toEqual({
      accepted: 1,
      rejected: 1,
      recycled: 1,
      pending: 1,
      acceptRate: 0.25,
      rejectRate: 0.25,
      recycleRate: 0.25,
      reasons: [
        { verdict: 'recycle', reason: 'not-now', count: 1 },
        { verdict: 'reject', reason: 'spam', count: 1 },
      ],
    });
  });

  test('by team and by rep, every sales team listed', () => {
    const report = build('2027-04-02T12:00:00Z');
    expect(report.teams.map((team) => [team.team, team.handed, team.worked])).toEqual([
      ['inside-sales', 2, 1],
      ['enterprise-sales', 2, 1],
    ]);
    expect(report.reps.map((rep) => [rep.team, rep.rep, rep.handed, rep.workedShare])).toEqual([
      ['enterprise-sales', 'taylor', 2, 0.5],
      ['inside-sales', 'alex', 2, 0.5],
    ]);
  });

  test('facts after asOf are not read; an empty period has no rates', () => {
    const early = build('2027-03-03T12:00:00Z');
    expect(early.total).toMatchObject({ handed: 1, worked: 0, workedShare: 0 });
    const empty = buildFollowThrough({
      agreement: defaultAgreement(),
      agreementVersion: 1,
      period: { ...march, from: new Date('2026-06-01T04:00:00Z'), to: new Date('2026-07-01T04:00:00Z') },
      asOf: new Date('2027-04-02T12:00:00Z'),
      filters: {},
      ...world(),
    });
    expect(empty.total).toMatchObject({ handed: 0, workedShare: null, feedback: { acceptRate: null } });
    expect(empty.total.timeToFirstTouch.wallClockHours).toEqual({ median: null, p90: null });
  });
});
