/**
 * Dates as CRM exports write them. Accepted, whatever the `--date-format`:
 *
 * - ISO 8601: `2024-03-05`, `2024-03-05T14:30`, `2024-03-05T14:30:00.000Z`, `…+01:00`
 * - the same with a space: `2024-03-05 14:30` (HubSpot), `2024-03-05 14:30:15`, and `2024/03/05`
 * - day first with dots: `05.03.2024`, `05.03.2024 14:30`
 * - epoch milliseconds: `1709649000000` (HubSpot internal-name exports)
 *
 * and with slashes, where the order of day and month is not written down: `03/05/2024`,
 * `3/5/2024 2:30 PM`. `MM/DD/YYYY` and `DD/MM/YYYY` read them one way; `auto` reads them month
 * first but reports the evidence, so the importer can tell a file is day-first (some first
 * number above 12) or cannot be decided (every date ambiguous) and ask for `--date-format`.
 *
 * A time without a zone is UTC. Years have four digits.
 */
export const dateFormats = ['auto', 'MM/DD/YYYY', 'DD/MM/YYYY'] as const;
export type DateFormat = (typeof dateFormats)[number];

/** What a slash date said about the order of day and month. */
type SlashOrder = 'month-first' | 'day-first' | 'ambiguous';

export type ParsedDate = {
  at: Date;
  /** True when the text named a day only (no time). */
  dateOnly: boolean;
  /** Set for slash dates read with `auto`. */
  order?: SlashOrder;
};

const isoPattern =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const slashPattern =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$/;
const dotPattern = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const epochPattern = /^\d{12,13}$/;

const minYear = 1900;
const maxYear = 2200;

export function parseDate(text: string, format: DateFormat = 'auto'): ParsedDate | undefined {
  const value = text.trim();
  if (value === '') return undefined;

  if (epochPattern.test(value)) {
    const at = new Date(Number(value));
    return inRange(at) ? { at, dateOnly: false } : undefined;
  }

  const iso = isoPattern.exec(value);
  if (iso) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
    const at = build(year, month, day, hour, minute, second, ms, zone);
    return at ? { at, dateOnly: hour === undefined } : undefined;
  }

  const dotted = dotPattern.exec(value);
  if (dotted) {
    const [, day, month, year, hour, minute, second] = dotted;
    const at = build(year, month, day, hour, minute, second, 0, undefined);
    return at ? { at, dateOnly: hour === undefined } : undefined;
  }

  const slashed = slashPattern.exec(value);
  if (slashed) {
    const [, first, second, year, hourText, minute, secondsText, meridiem] = slashed;
    const hour = twelveHour(hourText, meridiem);
    if (hour === null) return undefined;
    const a = Number(first);
    const b = Number(second);
    let order: SlashOrder | undefined;
    let monthFirst: boolean;
    if (format === 'MM/DD/YYYY') monthFirst = true;
    else if (format === 'DD/MM/YYYY') monthFirst = false;
    else {
      // 05/05/2024 reads the same both ways: no evidence either way.
      if (a !== b) order = a > 12 && b <= 12 ? 'day-first' : b > 12 && a <= 12 ? 'month-first' : 'ambiguous';
      monthFirst = order !== 'day-first';
    }
    const [month, day] = monthFirst ? [first, second] : [second, first];
    const at = build(year, month, day, hour, minute, secondsText, 0, undefined);
    if (!at) return undefined;
    const parsed: ParsedDate = { at, dateOnly: hourText === undefined };
    if (order) parsed.order = order;
    return parsed;
  }
  return undefined;
}

/** `YYYY-MM-DD` of an instant, in UTC. */
export function toCalendarDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function twelveHour(hourText: string | undefined, meridiem: string | undefined): string | undefined | null {
  if (hourText === undefined || meridiem === undefined) return hourText;
  const hour = Number(hourText);
  if (hour < 1 || hour > 12) return null;
  const pm = meridiem.toLowerCase() === 'p';
  return String((hour % 12) + (pm ? 12 : 0));
}

function build(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  ms: number,
  zone: string | undefined,
): Date | undefined {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (year < minYear || year > maxYear || month < 1 || month > 12 || day < 1) return undefined;
  if (day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const zoneMatch = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (!zoneMatch) return undefined;
    const hours = Number(zoneMatch[2]);
    const minutes = Number(zoneMatch[3] ?? 0);
    if (hours > 14 || minutes > 59) return undefined;
    offsetMinutes = (zoneMatch[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const at = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
  return inRange(at) ? at : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(at: Date): boolean {
  const year = at.getUTCFullYear();
  return Number.isFinite(at.getTime()) && year >= minYear && year <= maxYear;
}

/** How the slash dates of a whole file read, from the evidence of each date, with the first example of each. */
export type DateOrderEvidence = {
  dayFirst: number;
  monthFirst: number;
  ambiguous: number;
  examples: Partial<Record<'dayFirst' | 'monthFirst' | 'ambiguous', { row: number; text: string }>>;
};

export type DateOrderVerdict =
  /** No slash dates, or every one read the same way as assumed. */
  | { kind: 'month-first' }
  | { kind: 'day-first' }
  /** Only dates like 03/04/2024: nobody can tell. */
  | { kind: 'ambiguous' }
  /** Some dates only read day-first, others only month-first. */
  | { kind: 'mixed' };

export function decideDateOrder(evidence: DateOrderEvidence): DateOrderVerdict {
  if (evidence.dayFirst > 0 && evidence.monthFirst > 0) return { kind: 'mixed' };
  if (evidence.dayFirst > 0) return { kind: 'day-first' };
  if (evidence.monthFirst > 0 || evidence.ambiguous === 0) return { kind: 'month-first' };
  return { kind: 'ambiguous' };
}
