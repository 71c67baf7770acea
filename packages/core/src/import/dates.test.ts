import { describe, expect, test } from 'vitest';
import { type DateFormat, decideDateOrder, parseDate, toCalendarDate } from './dates.ts';

describe('parseDate', () => {
  test.each([
    // ISO 8601
    ['2024-03-05', '2024-03-05T00:00:00.000Z', true],
    ['2024-03-05T14:30', '2024-03-05T14:30:00.000Z', false],
    ['2024-03-05T14:30:15Z', '2024-03-05T14:30:15.000Z', false],
    ['2024-02-01T14:03:22.000Z', '2024-02-01T14:03:22.000Z', false],
    ['2024-03-05T14:30:00.123456Z', '2024-03-05T14:30:00.123Z', false],
    ['2024-03-05T14:30:00+01:00', '2024-03-05T13:30:00.000Z', false],
    ['2024-03-05T14:30:00-0500', '2024-03-05T19:30:00.000Z', false],
    // YYYY-MM-DD HH:mm (HubSpot), and slashes year first
    ['2024-03-05 14:30', '2024-03-05T14:30:00.000Z', false],
    ['2024-03-05 14:30:15', '2024-03-05T14:30:15.000Z', false],
    ['2024/03/05', '2024-03-05T00:00:00.000Z', true],
    // DD.MM.YYYY
    ['05.03.2024', '2024-03-05T00:00:00.000Z', true],
    ['5.3.2024 09:15', '2024-03-05T09:15:00.000Z', false],
    // MM/DD/YYYY read month first by default
    ['3/14/2024', '2024-03-14T00:00:00.000Z', true],
    ['03/14/2024 2:30 PM', '2024-03-14T14:30:00.000Z', false],
    ['03/14/2024 12:05 am', '2024-03-14T00:05:00.000Z', false],
    ['03/14/2024, 16:45:10', '2024-03-14T16:45:10.000Z', false],
    // epoch milliseconds (HubSpot internal-name exports)
    ['1709649000000', '2024-03-05T14:30:00.000Z', false],
  ])('reads %j as %s', (text, iso, dateOnly) => {
    const parsed = parseDate(text);
    expect(parsed?.at.toISOString()).toBe(iso);
    expect(parsed?.dateOnly).toBe(dateOnly);
  });

  test.each([
    '',
    'yesterday',
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '2024-03-05T24:00',
    '31.04.2024',
    '13/13/2024',
    '3/5/24',
    '1709649000',
    '1850-01-01',
    '2024-03-05T10:00+25:00',
    '03/14/2024 13:00 PM',
  ])('rejects %j', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });

  test('accepts 29 February in leap years only', () => {
    expect(parseDate('29.02.2024')?.at.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseDate('29.02.2023')).toBeUndefined();
  });

  test.each<[string, DateFormat, string | undefined, string | undefined]>([
    ['03/04/2024', 'auto', '2024-03-04', 'ambiguous'],
    ['13/04/2024', 'auto', '2024-04-13', 'day-first'],
    ['04/13/2024', 'auto', '2024-04-13', 'month-first'],
    ['05/05/2024', 'auto', '2024-05-05', undefined],
    ['03/04/2024', 'MM/DD/YYYY', '2024-03-04', undefined],
    ['03/04/2024', 'DD/MM/YYYY', '2024-04-03', undefined],
    ['13/04/2024', 'MM/DD/YYYY', undefined, undefined],
    ['2024-03-04', 'DD/MM/YYYY', '2024-03-04', undefined],
  ])('reads slash date %j with %s as %s (order %s)', (text, format, day, order) => {
    const parsed = parseDate(text, format);
    expect(parsed && toCalendarDate(parsed.at)).toBe(day);
    expect(parsed?.order).toBe(order);
  });
});

describe('decideDateOrder', () => {
  const evidence = (dayFirst: number, monthFirst: number, ambiguous: number) => ({
    dayFirst,
    monthFirst,
    ambiguous,
    examples: {},
  });

  test.each([
    [evidence(0, 0, 0), 'month-first'],
    [evidence(0, 3, 10), 'month-first'],
    [evidence(2, 0, 10), 'day-first'],
    [evidence(0, 0, 4), 'ambiguous'],
    [evidence(1, 1, 0), 'mixed'],
  ])('decides %j as %s', (seen, kind) => {
    expect(decideDateOrder(seen).kind).toBe(kind);
  });
});
