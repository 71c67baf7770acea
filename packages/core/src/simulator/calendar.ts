import type { Random } from './random.ts';

/** Milliseconds in a minute, an hour and a day; the simulator counts time in UTC milliseconds. */
export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

/** `ms` plus `months` calendar months in UTC, keeping the day and time (clamped to the month's end). */
export function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(date.getUTCDate(), lastDay),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

/** The first instant of the calendar quarter after the one `ms` is in (UTC). */
export function nextQuarterStart(ms: number): number {
  const date = new Date(ms);
  const quarter = Math.floor(date.getUTCMonth() / 3);
  return Date.UTC(date.getUTCFullYear(), quarter * 3 + 3, 1);
}

/** `YYYY-MM-DD` of an instant in UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * When a rep acting at `ms` really acts: during working hours on a weekday. The simulated sales
 * teams are in the Americas, so working hours are taken as 13:00–22:00 UTC; anything outside moves
 * to a random time in the next working window.
 */
export function toWorkingTime(ms: number, random: Random): number {
  const date = new Date(ms);
  const hourOfDay = date.getUTCHours();
  const weekday = date.getUTCDay();
  if (weekday !== 0 && weekday !== 6 && hourOfDay >= 13 && hourOfDay < 22) return ms;
  let dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (hourOfDay >= 22) dayStart += day;
  while ([0, 6].includes(new Date(dayStart).getUTCDay())) dayStart += day;
  return dayStart + 13 * hour + Math.floor(random.uniform(0, 3 * hour));
}
