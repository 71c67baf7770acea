import type { Weekday } from '../../agreement/agreement-schema.ts';
import { addDays, localDay, weekdayOf, zonedTimeToInstant } from './zoned-time.ts';

/** When a team is open: on `days`, from `start` to `end` local time, except on `holidays`. */
export type BusinessCalendar = {
  /** IANA time zone the hours and holidays are in. */
  timezone: string;
  days: Weekday[];
  /** `HH:MM` local opening time. */
  start: string;
  /** `HH:MM` local closing time, after `start`; "24:00" is midnight at the end of the day. */
  end: string;
  /** `YYYY-MM-DD` local dates on which the team is closed. */
  holidays: string[];
};

type OpenWindow = { open: number; close: number };

/** The team's open hours on one local date, or undefined when it is closed that day. */
type WindowOf = (localDate: string) => OpenWindow | undefined;

function createWindowOf(calendar: BusinessCalendar): WindowOf {
  if (calendar.days.length === 0) throw new Error('a business calendar needs at least one open day');
  if (!(calendar.start < calendar.end)) throw new Error('business hours must end after they start');
  const days = new Set(calendar.days);
  const holidays = new Set(calendar.holidays);
  return (localDate) => {
    if (!days.has(weekdayOf(localDate)) || holidays.has(localDate)) return undefined;
    const open = zonedTimeToInstant(localDate, calendar.start, calendar.timezone).getTime();
    const close = zonedTimeToInstant(localDate, calendar.end, calendar.timezone).getTime();
    return close > open ? { open, close } : undefined;
  };
}

// A calendar whose open days are all holidays for this long is a configuration mistake, not a wait.
const maxClosedDays = 3660;

/**
 * The instant at which `durationMs` of open time has passed since `start`. Only the calendar's open
 * hours on open days count, in its time zone, so weekends, holidays and nights are skipped and a
 * day shortened or lengthened by a daylight-saving change counts its real length. A start outside
 * open hours begins counting at the next opening; a deadline may fall exactly at closing time. With
 * no calendar (`null`) every millisecond counts.
 */
export function addBusinessTime(start: Date, durationMs: number, calendar: BusinessCalendar | null): Date {
  if (!(durationMs >= 0)) throw new Error(`cannot add a negative duration: ${durationMs}`);
  if (calendar === null || durationMs === 0) return new Date(start.getTime() + durationMs);
  const windowOf = createWindowOf(calendar);
  const from = start.getTime();
  let remaining = durationMs;
  let localDate = localDay(start, calendar.timezone);
  let closedDays = 0;
  for (;;) {
    const window = windowOf(localDate);
    if (window !== undefined && window.close > from) {
      closedDays = 0;
      const begin = Math.max(window.open, from);
      const available = window.close - begin;
      if (remaining <= available) return new Date(begin + remaining);
      remaining -= available;
    } else if (++closedDays > maxClosedDays) {
      throw new Error(`the business calendar in ${calendar.timezone} has no open hours after ${localDate}`);
    }
    localDate = addDays(localDate, 1);
  }
}

/**
 * How much open time lies between `a` and `b`, in milliseconds; negative when `b` is before `a`.
 * With no calendar (`null`) it is the plain difference.
 */
export function businessTimeBetween(a: Date, b: Date, calendar: BusinessCalendar | null): number {
  if (calendar === null) return b.getTime() - a.getTime();
  if (b.getTime() < a.getTime()) return -businessTimeBetween(b, a, calendar);
  const windowOf = createWindowOf(calendar);
  const from = a.getTime();
  const to = b.getTime();
  const lastDate = localDay(b, calendar.timezone);
  let total = 0;
  for (let localDate = localDay(a, calendar.timezone); localDate <= lastDate; ) {
    const window = windowOf(localDate);
    if (window !== undefined) total += Math.max(0, Math.min(window.close, to) - Math.max(window.open, from));
    localDate = addDays(localDate, 1);
  }
  return total;
}
