import { describe, expect, test } from 'vitest';
import { addDays, localDay, weekdayOf, zonedParts, zonedTimeToInstant } from './zoned-time.ts';

describe('zonedTimeToInstant', () => {
  test.each([
    ['an ordinary winter time', '2027-01-12', '09:00', 'America/New_York', '2027-01-12T14:00:00.000Z'],
    ['an ordinary summer time', '2027-07-12', '09:00', 'America/New_York', '2027-07-12T13:00:00.000Z'],
    [
      'a time skipped by spring-forward',
      '2027-03-14',
      '02:30',
      'America/New_York',
      '2027-03-14T07:00:00.000Z',
    ],
    [
      'the first hour after spring-forward',
      '2027-03-14',
      '03:00',
      'America/New_York',
      '2027-03-14T07:00:00.000Z',
    ],
    [
      'the first of two fall-back times',
      '2027-11-07',
      '01:30',
      'America/New_York',
      '2027-11-07T05:30:00.000Z',
    ],
    ['a time skipped in Chicago', '2027-03-14', '02:15', 'America/Chicago', '2027-03-14T08:00:00.000Z'],
    ['a time skipped in Berlin', '2027-03-28', '02:30', 'Europe/Berlin', '2027-03-28T01:00:00.000Z'],
    ['the first of two Berlin times', '2027-10-31', '02:30', 'Europe/Berlin', '2027-10-31T00:30:00.000Z'],
    ['a time in a zone without DST', '2027-03-14', '02:30', 'Asia/Kolkata', '2027-03-13T21:00:00.000Z'],
    [
      'a time skipped by a half-hour change',
      '2027-10-03',
      '02:15',
      'Australia/Lord_Howe',
      '2027-10-02T15:30:00.000Z',
    ],
    [
      'the first of two Lord Howe times',
      '2027-04-04',
      '01:45',
      'Australia/Lord_Howe',
      '2027-04-03T14:45:00.000Z',
    ],
    ['midnight at the end of the day', '2027-01-05', '24:00', 'Asia/Tokyo', '2027-01-05T15:00:00.000Z'],
  ])('places %s', (_name, localDate, time, timezone, expected) => {
    expect(zonedTimeToInstant(localDate, time, timezone).toISOString()).toBe(expected);
  });

  test.each([
    ['2027-3-1', '09:00'],
    ['2027-03-01', '9:00'],
  ])('throws on %j %j', (localDate, time) => {
    expect(() => zonedTimeToInstant(localDate, time, 'UTC')).toThrow();
  });
});

describe('zonedParts', () => {
  test.each([
    [
      '2027-03-09T04:30:00Z',
      'America/New_York',
      { date: '2027-03-08', time: '23:30', weekday: 'mon', hour: 23 },
    ],
    [
      '2027-03-14T07:00:00Z',
      'America/New_York',
      { date: '2027-03-14', time: '03:00', weekday: 'sun', hour: 3 },
    ],
    [
      '2027-11-07T06:30:00Z',
      'America/New_York',
      { date: '2027-11-07', time: '01:30', weekday: 'sun', hour: 1 },
    ],
    [
      '2027-03-09T04:30:00Z',
      'America/Chicago',
      { date: '2027-03-08', time: '22:30', weekday: 'mon', hour: 22 },
    ],
    ['2027-03-09T16:00:00Z', 'Asia/Tokyo', { date: '2027-03-10', time: '01:00', weekday: 'wed', hour: 1 }],
    ['2027-03-09T00:00:00Z', 'UTC', { date: '2027-03-09', time: '00:00', weekday: 'tue', hour: 0 }],
  ])('reads %s in %s', (instant, timezone, expected) => {
    expect(zonedParts(new Date(instant), timezone)).toMatchObject(expected);
  });
});

describe('localDay', () => {
  test.each([
    ['2027-03-10T04:59:00Z', 'America/New_York', '2027-03-09'],
    ['2027-03-10T05:00:00Z', 'America/New_York', '2027-03-10'],
    ['2027-03-10T05:30:00Z', 'America/Chicago', '2027-03-09'],
    ['2027-03-10T22:00:00Z', 'Europe/Berlin', '2027-03-10'],
    ['2027-03-10T23:30:00Z', 'Europe/Berlin', '2027-03-11'],
  ])('reads %s in %s as %s', (instant, timezone, expected) => {
    expect(localDay(new Date(instant), timezone)).toBe(expected);
  });
});

describe('addDays and weekdayOf', () => {
  test.each([
    ['2027-02-28', 1, '2027-03-01', 'mon'],
    ['2027-12-31', 1, '2028-01-01', 'sat'],
    ['2027-03-13', 1, '2027-03-14', 'sun'],
    ['2028-02-28', 1, '2028-02-29', 'tue'],
  ])('%s plus %i days is %s, a %s', (date, days, expected, weekday) => {
    expect(addDays(date, days)).toBe(expected);
    expect(weekdayOf(expected)).toBe(weekday);
  });
});
