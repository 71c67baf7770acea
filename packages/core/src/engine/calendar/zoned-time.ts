import type { Weekday } from '../../agreement/agreement-schema.ts';

/** An instant as a wall clock in a time zone shows it. */
export type ZonedParts = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
  /** `YYYY-MM-DD` */
  date: string;
  /** `HH:MM` */
  time: string;
};

const weekdayByUtcDay: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// Building a formatter is far slower than using one; they hold no state between calls.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall clock of `ms` in `timezone`, as if that wall clock were UTC (whole seconds). */
function wallClockMs(ms: number, timezone: string): number {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timezone).formatToParts(ms)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour % 24, fields.minute, fields.second);
}

/** How far `timezone`'s wall clock is ahead of UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, timezone: string): number {
  // Remembered per instant, up to a bound: deadlines ask about the same few opening times (a day
  // before and after 09:00 of each business day) for every lead, and formatting one is slow.
  let byInstant = offsets.get(timezone);
  if (byInstant === undefined) {
    byInstant = new Map();
    offsets.set(timezone, byInstant);
  }
  let offset = byInstant.get(ms);
  if (offset === undefined) {
    offset = wallClockMs(ms, timezone) - Math.floor(ms / 1000) * 1000;
    if (byInstant.size >= 10_000) byInstant.clear();
    byInstant.set(ms, offset);
  }
  return offset;
}

const offsets = new Map<string, Map<number, number>>();

export function zonedParts(date: Date, timezone: string): ZonedParts {
  const wall = new Date(wallClockMs(date.getTime(), timezone));
  const iso = wall.toISOString();
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: weekdayByUtcDay[wall.getUTCDay()] ?? 'sun',
    date: iso.slice(0, 10),
    time: iso.slice(11, 16),
  };
}

/** The local calendar day (`YYYY-MM-DD`) of `date` in `timezone`; daily caps count per local day. */
export function localDay(date: Date, timezone: string): string {
  return new Date(wallClockMs(date.getTime(), timezone)).toISOString().slice(0, 10);
}

const dayMs = 24 * 60 * 60 * 1000;

function parseLocalDate(localDate: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) throw new Error(`not a YYYY-MM-DD date: ${JSON.stringify(localDate)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function parseClockTime(time: string): [number, number] {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!match) throw new Error(`not an HH:MM time: ${JSON.stringify(time)}`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * The instant at which `timezone`'s wall clock shows `localDate` `time` ("24:00" is midnight at
 * the end of the day). A time skipped by a daylight-saving change (02:30 on a spring-forward
 * night) becomes the first instant after the gap (03:00 daylight time), so later local times
 * never map to earlier instants; a time that occurs twice (01:30 on a fall-back night) is the
 * first of the two.
 */
export function zonedTimeToInstant(localDate: string, time: string, timezone: string): Date {
  const [year, month, day] = parseLocalDate(localDate);
  const [hour, minute] = parseClockTime(time);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Offsets a day either side; no zone changes its offset twice within two days.
  const offsets = [offsetAt(wall - dayMs, timezone), offsetAt(wall + dayMs, timezone)];
  const [before, after] = offsets;
  if (before !== undefined && before === after) return new Date(wall - before);
  const matching = offsets
    .map((offset) => wall - offset)
    .filter((instant) => wallClockMs(instant, timezone) === wall)
    .sort((a, b) => a - b);
  const first = matching[0];
  if (first !== undefined) return new Date(first);
  return new Date(findGapEnd(wall, offsets, timezone));
}

/**
 * The first instant whose wall clock is at or after `wall`, for a wall time inside a gap: between
 * the two readings of `wall` with the offsets before and after the change, the clock jumps.
 */
function findGapEnd(wall: number, offsets: number[], timezone: string): number {
  const candidates = offsets.map((offset) => wall - offset);
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  if (wallClockMs(high, timezone) < wall) throw new Error(`cannot place ${new Date(wall).toISOString()}`);
  // Invariant: the wall clock at `low` is before `wall`, at `high` it is at or after.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClockMs(middle, timezone) < wall) low = middle;
    else high = middle;
  }
  return high;
}

/** `localDate` plus `days` calendar days. */
export function addDays(localDate: string, days: number): string {
  const [year, month, day] = parseLocalDate(localDate);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The day of the week of a `YYYY-MM-DD` date. */
export function weekdayOf(localDate: string): Weekday {
  const [year, month, day] = parseLocalDate(localDate);
  return weekdayByUtcDay[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] ?? 'sun';
}
