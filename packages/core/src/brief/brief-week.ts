import type { Agreement } from '../agreement/agreement-schema.ts';
import { type PeriodResult, previousBucket, resolveSlaPeriod } from '../reports/period.ts';
import type { BriefWeek } from './brief.ts';

/**
 * The ISO week a brief is about, in the agreement's time zone: `2027-W09` (Monday 00:00 to the
 * next Monday), or by default the last full week before the one containing `asOf`.
 */
export function resolveBriefWeek(
  label: string | undefined,
  asOf: Date,
  agreement: Agreement,
): PeriodResult<BriefWeek> {
  if (label === undefined) {
    const week = previousBucket(asOf, 'week', agreement.timezone);
    return { ok: true, value: { ...week, timezone: agreement.timezone } };
  }
  const trimmed = label.trim();
  if (!/^\d{4}-W\d{2}$/.test(trimmed)) {
    return {
      ok: false,
      error: {
        code: 'INVALID_PERIOD',
        message: `${JSON.stringify(label)} is not an ISO week; expected one like 2027-W09`,
      },
    };
  }
  // An ISO week is resolved as a weekly SLA period would be, whatever the agreement's own period.
  return resolveSlaPeriod(trimmed, { ...agreement, sla: { ...agreement.sla, period: 'week' } });
}
