import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { addBusinessTime, type BusinessCalendar, businessTimeBetween } from './business-time.ts';
import { calendarForTeam } from './calendar-for-team.ts';
import { addDays } from './zoned-time.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

function teamCalendar(teamId: string): BusinessCalendar {
  const calendar = calendarForTeam(agreement, teamId);
  if (calendar === undefined) throw new Error(`no calendar for ${teamId}`);
  return calendar;
}

const weekdays: BusinessCalendar['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const everyDay: BusinessCalendar['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const calendars: Record<string, BusinessCalendar> = {
  newYork: teamCalendar('inside-sales'),
  chicago: teamCalendar('enterprise-sales'),
  berlin: {
    timezone: 'Europe/Berlin',
    days: weekdays,
    start: '09:00',
    end: '17:00',
    holidays: ['2027-04-02'],
  },
  kolkata: { timezone: 'Asia/Kolkata', days: weekdays, start: '10:00', end: '18:00', holidays: [] },
  newYorkAllDay: { timezone: 'America/New_York', days: everyDay, start: '00:00', end: '24:00', holidays: [] },
  newYorkNights: { timezone: 'America/New_York', days: ['sun'], start: '00:00', end: '04:00', holidays: [] },
  lordHoweAllDay: {
    timezone: 'Australia/Lord_Howe',
    days: everyDay,
    start: '00:00',
    end: '24:00',
    holidays: [],
  },
  lordHoweMornings: {
    timezone: 'Australia/Lord_Howe',
    days: ['sun'],
    start: '01:00',
    end: '03:00',
    holidays: [],
  },
};

const minute = 60_000;
const hour = 60 * minute;

function calendarNamed(name: string): BusinessCalendar {
  const calendar = calendars[name];
  if (calendar === undefined) throw new Error(`no calendar ${name}`);
  return calendar;
}

describe('calendarForTeam', () => {
  test('takes the team time zone, or the agreement one when the team names none', () => {
    expect(calendarForTeam(agreement, 'inside-sales')).toEqual({
      timezone: 'America/New_York',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:00',
      holidays: ['2027-01-01', '2027-07-05', '2027-11-25', '2027-12-24'],
    });
    expect(calendarForTeam(agreement, 'enterprise-sales')).toMatchObject({
      timezone: 'America/Chicago',
      start: '08:00',
      end: '18:00',
    });
  });

  test('is undefined for an unknown team', () => {
    expect(calendarForTeam(agreement, 'no-such-team')).toBeUndefined();
  });
});

describe('addBusinessTime', () => {
  test.each([
    // name, calendar, start, duration, expected
    [
      'ends at 09:30 next day when 1h starts at 16:30',
      'newYork',
      '2027-03-08T21:30:00Z',
      hour,
      '2027-03-09T14:30:00Z',
    ],
    ['ends exactly at closing', 'newYork', '2027-03-08T21:00:00Z', hour, '2027-03-08T22:00:00Z'],
    [
      'starts at opening when started before it',
      'newYork',
      '2027-03-09T12:00:00Z',
      hour,
      '2027-03-09T15:00:00Z',
    ],
    [
      'starts next morning when started after closing',
      'newYork',
      '2027-03-09T23:00:00Z',
      hour,
      '2027-03-10T15:00:00Z',
    ],
    [
      'starts next morning when started at closing',
      'newYork',
      '2027-03-08T22:00:00Z',
      30 * minute,
      '2027-03-09T14:30:00Z',
    ],
    ['skips a weekend', 'newYork', '2027-02-05T21:00:00Z', 2 * hour, '2027-02-08T15:00:00Z'],
    [
      'starts on the next open day when started on a holiday',
      'newYork',
      '2027-07-05T14:00:00Z',
      hour,
      '2027-07-06T14:00:00Z',
    ],
    [
      'skips a holiday and the weekend after it',
      'newYork',
      '2027-12-23T21:00:00Z',
      2 * hour,
      '2027-12-27T15:00:00Z',
    ],
    [
      'skips New Year across the year end',
      'newYork',
      '2026-12-31T21:00:00Z',
      2 * hour,
      '2027-01-04T15:00:00Z',
    ],
    [
      'crosses spring-forward over a weekend',
      'newYork',
      '2027-03-12T21:00:00Z',
      2 * hour,
      '2027-03-15T14:00:00Z',
    ],
    ['crosses fall-back over a weekend', 'newYork', '2027-11-05T20:00:00Z', 2 * hour, '2027-11-08T15:00:00Z'],
    [
      'crosses spring-forward in Chicago',
      'chicago',
      '2027-03-12T23:00:00Z',
      3 * hour,
      '2027-03-15T15:00:00Z',
    ],
    ['crosses fall-back in Chicago', 'chicago', '2027-11-05T22:30:00Z', hour, '2027-11-08T14:30:00Z'],
    [
      'crosses spring-forward and Good Friday in Berlin',
      'berlin',
      '2027-03-26T15:00:00Z',
      2 * hour,
      '2027-03-29T08:00:00Z',
    ],
    ['skips a Berlin holiday', 'berlin', '2027-04-01T14:00:00Z', 2 * hour, '2027-04-05T08:00:00Z'],
    ['counts in a zone without DST', 'kolkata', '2027-03-15T11:30:00Z', 2 * hour, '2027-03-16T05:30:00Z'],
    [
      'counts a 23-hour spring-forward day',
      'newYorkAllDay',
      '2027-03-13T17:00:00Z',
      24 * hour,
      '2027-03-14T17:00:00Z',
    ],
    [
      'counts a 25-hour fall-back day',
      'newYorkAllDay',
      '2027-11-06T16:00:00Z',
      24 * hour,
      '2027-11-07T16:00:00Z',
    ],
    [
      'counts the real length of open hours around a gap',
      'newYorkNights',
      '2027-03-14T05:00:00Z',
      3 * hour,
      '2027-03-14T08:00:00Z',
    ],
    [
      'counts the real length of open hours around an overlap',
      'newYorkNights',
      '2027-11-07T04:00:00Z',
      5 * hour,
      '2027-11-07T09:00:00Z',
    ],
    [
      'counts a half-hour DST change',
      'lordHoweAllDay',
      '2027-10-02T01:30:00Z',
      24 * hour,
      '2027-10-03T01:30:00Z',
    ],
    [
      'counts the real length of a Lord Howe spring morning',
      'lordHoweMornings',
      '2027-10-02T14:30:00Z',
      90 * minute,
      '2027-10-02T16:00:00Z',
    ],
  ])('%s', (_name, calendarName, start, duration, expected) => {
    expect(addBusinessTime(new Date(start), duration, calendarNamed(calendarName))).toEqual(
      new Date(expected),
    );
  });

  test.each([
    ['24 hours across spring-forward', '2027-03-13T17:00:00Z', 24 * hour, '2027-03-14T17:00:00Z'],
    ['24 hours across fall-back', '2027-11-06T16:00:00Z', 24 * hour, '2027-11-07T16:00:00Z'],
    ['no time at all', '2027-11-06T16:00:00Z', 0, '2027-11-06T16:00:00Z'],
  ])('counts wall-clock time without a calendar: %s', (_name, start, duration, expected) => {
    expect(addBusinessTime(new Date(start), duration, null)).toEqual(new Date(expected));
  });

  test('skips whole days for long durations (a year of open time lands on an open instant)', () => {
    const start = new Date('2027-01-04T15:00:00Z');
    const calendar = calendarNamed('newYork');
    const end = addBusinessTime(start, 2000 * hour, calendar);
    expect(businessTimeBetween(start, end, calendar)).toBe(2000 * hour);
  });

  const sundaysForElevenYears = Array.from({ length: 574 }, (_, week) => addDays('2027-03-07', 7 * week));
  test.each([
    ['a negative duration', -1, calendarNamed('newYork')],
    ['a calendar without open days', hour, { ...calendarNamed('newYork'), days: [] }],
    ['hours that end before they start', hour, { ...calendarNamed('newYork'), start: '17:00', end: '09:00' }],
    [
      'a calendar closed for ten years',
      hour,
      { ...calendarNamed('newYorkNights'), holidays: sundaysForElevenYears },
    ],
  ])('throws on %s', (_name, duration, calendar) => {
    expect(() => addBusinessTime(new Date('2027-03-08T15:00:00Z'), duration, calendar)).toThrow();
  });
});

describe('businessTimeBetween', () => {
  test.each([
    ['a span within one day', 'newYork', '2027-03-08T15:00:00Z', '2027-03-08T17:30:00Z', 150 * minute],
    [
      'Friday afternoon to Monday morning',
      'newYork',
      '2027-03-12T21:00:00Z',
      '2027-03-15T14:00:00Z',
      2 * hour,
    ],
    [
      'a span starting and ending at night',
      'newYork',
      '2027-03-08T23:00:00Z',
      '2027-03-10T03:00:00Z',
      8 * hour,
    ],
    ['a holiday counts nothing', 'newYork', '2027-07-05T04:00:00Z', '2027-07-06T04:00:00Z', 0],
    ['a Sunday night with a gap', 'newYorkNights', '2027-03-13T12:00:00Z', '2027-03-15T12:00:00Z', 3 * hour],
    [
      'a Sunday night with an overlap',
      'newYorkNights',
      '2027-11-06T12:00:00Z',
      '2027-11-08T12:00:00Z',
      5 * hour,
    ],
    ['a reversed span is negative', 'newYork', '2027-03-08T17:30:00Z', '2027-03-08T15:00:00Z', -150 * minute],
  ])('counts %s', (_name, calendarName, a, b, expected) => {
    expect(businessTimeBetween(new Date(a), new Date(b), calendarNamed(calendarName))).toBe(expected);
  });

  test('is the plain difference without a calendar', () => {
    const a = new Date('2027-03-13T17:00:00Z');
    const b = new Date('2027-03-14T17:00:00Z');
    expect(businessTimeBetween(a, b, null)).toBe(24 * hour);
  });

  // A small seeded generator (mulberry32) keeps the property test reproducible.
  function createRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  test.each(Object.keys(calendars))('undoes addBusinessTime for random starts and durations (%s)', (name) => {
    const calendar = calendarNamed(name);
    const random = createRandom(20270314);
    const yearStart = Date.UTC(2027, 0, 1);
    for (let index = 0; index < 150; index += 1) {
      const start = new Date(yearStart + Math.floor(random() * 365 * 24 * 60) * minute);
      const duration = Math.floor(random() * 120 * 60) * minute;
      const end = addBusinessTime(start, duration, calendar);
      expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
      expect(businessTimeBetween(start, end, calendar)).toBe(duration);
    }
  });
});
