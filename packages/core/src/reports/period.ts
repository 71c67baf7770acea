import type { Agreement } from '../agreement/agreement-schema.ts';
import { localDay, zonedTimeToInstant } from '../engine/calendar/index.ts';
import { addDays, weekdayOf } from '../engine/calendar/zoned-time.ts';

/**
 * Report periods. A period is the half-open interval [from, to) of instants. People name it in
 * the agreement's time zone: `2027-03` is local midnight of 1 March, `2027-03-15` local midnight of
 * that day, and a full ISO timestamp with `Z` or an offset is taken as is; `to` is exclusive, so
 * `--from 2027-01 --to 2027-04` is the first quarter. Months and weeks (ISO, Monday first) are
 * local calendar months and weeks, so a lead at 23:30 on 31 March in New York is a March lead even
 * though it is already April in UTC.
 */
export type ReportPeriod = { from: Date; to: Date; timezone: string };

export type PeriodError = { code: 'INVALID_PERIOD'; message: string };
export type PeriodResult<T> = { ok: true; value: T } | { ok: false; error: PeriodError };

export type BucketUnit = 'month' | 'week';
/** One month or week of a report: its label and its part of the period. */
export type Bucket = { label: string; from: Date; to: Date };

const fail = (message: string): { ok: false; error: PeriodError } => ({
  ok: false,
  error: { code: 'INVALID_PERIOD', message },
});

/** An instant from `YYYY-MM`, `YYYY-MM-DD` (local midnight in `timezone`) or an ISO timestamp with a zone. */
export function parseReportInstant(text: string, timezone: string): Date | undefined {
  const trimmed = text.trim();
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(trimmed)) return zonedTimeToInstant(`${trimmed}-01`, '00:00', timezone);
  if (/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(trimmed)) {
    // Reject dates such as 2027-02-30, which Date.UTC would quietly roll over.
    if (addDays(trimmed, 0) !== trimmed) return undefined;
    return zonedTimeToInstant(trimmed, '00:00', timezone);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}

export function resolveReportPeriod(
  input: { from: string; to: string },
  timezone: string,
): PeriodResult<ReportPeriod> {
  const from = parseReportInstant(input.from, timezone);
  const to = parseReportInstant(input.to, timezone);
  const expected = 'expected YYYY-MM, YYYY-MM-DD or an ISO timestamp with a zone, like 2027-03-01T00:00:00Z';
  if (from === undefined) return fail(`from: ${JSON.stringify(input.from)} is not a date; ${expected}`);
  if (to === undefined) return fail(`to: ${JSON.stringify(input.to)} is not a date; ${expected}`);
  if (from.getTime() >= to.getTime())
    return fail(`the period must end after it starts (to is exclusive); got ${input.from} to ${input.to}`);
  return { ok: true, value: { from, to, timezone } };
}

/** The local date on which the month or ISO week containing `localDate` starts. */
function unitStart(localDate: string, unit: BucketUnit): string {
  if (unit === 'month') return `${localDate.slice(0, 7)}-01`;
  const weekday = weekdayOf(localDate);
  const offset = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(weekday);
  return addDays(localDate, -offset);
}

function nextUnitStart(start: string, unit: BucketUnit): string {
  if (unit === 'week') return addDays(start, 7);
  const year = Number(start.slice(0, 4));
  const month = Number(start.slice(5, 7));
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/** `2027-W09` for the ISO week that starts on Monday `monday`. */
export function isoWeekLabel(monday: string): string {
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const dayOfYear = (Date.parse(`${thursday}T00:00:00Z`) - Date.UTC(year, 0, 1)) / 86_400_000;
  return `${year}-W${String(Math.floor(dayOfYear / 7) + 1).padStart(2, '0')}`;
}

function unitLabel(start: string, unit: BucketUnit): string {
  return unit === 'month' ? start.slice(0, 7) : isoWeekLabel(start);
}

/** The local months or weeks the period touches, each clipped to the period. */
export function periodBuckets(period: ReportPeriod, unit: BucketUnit): Bucket[] {
  const buckets: Bucket[] = [];
  let start = unitStart(localDay(period.from, period.timezone), unit);
  for (let guard = 0; guard < 5000; guard++) {
    const begin = zonedTimeToInstant(start, '00:00', period.timezone);
    if (begin.getTime() >= period.to.getTime()) break;
    const next = nextUnitStart(start, unit);
    const end = zonedTimeToInstant(next, '00:00', period.timezone);
    buckets.push({
      label: unitLabel(start, unit),
      from: new Date(Math.max(begin.getTime(), period.from.getTime())),
      to: new Date(Math.min(end.getTime(), period.to.getTime())),
    });
    start = next;
  }
  return buckets;
}

/** The whole local month or week before the one containing `at` (for month-over-month change). */
export function previousBucket(at: Date, unit: BucketUnit, timezone: string): Bucket {
  const current = unitStart(localDay(at, timezone), unit);
  const previous = unitStart(addDays(current, -1), unit);
  return {
    label: unitLabel(previous, unit),
    from: zonedTimeToInstant(previous, '00:00', timezone),
    to: zonedTimeToInstant(current, '00:00', timezone),
  };
}

/** The whole local month or week containing `at`. */
export function bucketContaining(at: Date, unit: BucketUnit, timezone: string): Bucket {
  const start = unitStart(localDay(at, timezone), unit);
  return {
    label: unitLabel(start, unit),
    from: zonedTimeToInstant(start, '00:00', timezone),
    to: zonedTimeToInstant(nextUnitStart(start, unit), '00:00', timezone),
  };
}

/** An SLA period (the agreement's `sla.period`): `2027-03`, `2027-Q1` or `2027-W09`. */
export type SlaPeriod = { label: string; from: Date; to: Date; timezone: string };

/** Resolves an SLA period's name in the agreement's time zone; its kind must be the agreement's. */
export function resolveSlaPeriod(label: string, agreement: Agreement): PeriodResult<SlaPeriod> {
  const timezone = agreement.timezone;
  const kind = agreement.sla.period;
  const examples = { month: '2027-03', quarter: '2027-Q1', week: '2027-W09' } as const;
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(label);
  const week = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/.exec(label);
  let start: string | undefined;
  let end: string | undefined;
  if (kind === 'month' && month) {
    start = `${label}-01`;
    end = nextUnitStart(start, 'month');
  } else if (kind === 'quarter' && quarter) {
    const first = (Number(quarter[2]) - 1) * 3 + 1;
    start = `${quarter[1]}-${String(first).padStart(2, '0')}-01`;
    end = nextUnitStart(nextUnitStart(nextUnitStart(start, 'month'), 'month'), 'month');
  } else if (kind === 'week' && week) {
    const january4 = `${week[1]}-01-04`;
    start = addDays(unitStart(january4, 'week'), (Number(week[2]) - 1) * 7);
    end = addDays(start, 7);
    if (isoWeekLabel(start) !== label) return fail(`${label} is not a week of ${week[1]}`);
  }
  if (start === undefined || end === undefined) {
    return fail(
      `${JSON.stringify(label)} is not a ${kind}; the agreement's SLA period is a ${kind}, like ${examples[kind]}`,
    );
  }
  return {
    ok: true,
    value: {
      label,
      from: zonedTimeToInstant(start, '00:00', timezone),
      to: zonedTimeToInstant(end, '00:00', timezone),
      timezone,
    },
  };
}

/** The SLA period that contains `at`, in the agreement's time zone. */
export function slaPeriodContaining(at: Date, agreement: Agreement): SlaPeriod {
  const day = localDay(at, agreement.timezone);
  const kind = agreement.sla.period;
  const label =
    kind === 'month'
      ? day.slice(0, 7)
      : kind === 'quarter'
        ? `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`
        : isoWeekLabel(unitStart(day, 'week'));
  const resolved = resolveSlaPeriod(label, agreement);
  if (!resolved.ok) throw new Error(resolved.error.message);
  return resolved.value;
}
