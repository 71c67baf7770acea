/**
 * The SLA's periods by their labels, as the agreement's `sla.period` names them: `2026-10`
 * (month), `2026-Q4` (quarter) or `2026-W43` (ISO week). The board offers the running period and
 * the ones before it.
 */
type PeriodKind = 'month' | 'quarter' | 'week';

export function kindOfPeriod(label: string): PeriodKind {
  if (/^\d{4}-Q[1-4]$/.test(label)) return 'quarter';
  if (/^\d{4}-W\d{2}$/.test(label)) return 'week';
  return 'month';
}

const pad = (value: number) => String(value).padStart(2, '0');

function isoWeekLabel(day: Date): string {
  const date = new Date(Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${pad(week)}`;
}

/** The `count` periods ending with the one running at `now`, newest first. */
export function recentPeriods(kind: PeriodKind, now: Date, count: number): string[] {
  const labels: string[] = [];
  for (let back = 0; back < count; back++) {
    if (kind === 'week') {
      labels.push(isoWeekLabel(new Date(now.getFullYear(), now.getMonth(), now.getDate() - back * 7)));
    } else if (kind === 'quarter') {
      const index = now.getFullYear() * 4 + Math.floor(now.getMonth() / 3) - back;
      labels.push(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`);
    } else {
      const index = now.getFullYear() * 12 + now.getMonth() - back;
      labels.push(`${Math.floor(index / 12)}-${pad((index % 12) + 1)}`);
    }
  }
  return labels;
}

/** Up to `count` instants from `from` to `until` (both included), evenly spaced: where the delivered line is sampled. */
export function checkpoints(from: Date, until: Date, count: number): Date[] {
  const span = until.getTime() - from.getTime();
  if (span <= 0) return [];
  return Array.from({ length: count }, (_, index) => new Date(from.getTime() + (span * (index + 1)) / count));
}
