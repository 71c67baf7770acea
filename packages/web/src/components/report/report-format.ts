import { formatNumber } from '../../format.ts';

/** Ratios as shares: 0.568 → "56.8%"; null (nothing to divide by) → "–". */
export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
}

/** Hours as people read them: "9.5 h" under two days, else "15.7 d". */
export function formatHours(hours: number | null): string {
  if (hours === null) return '–';
  return hours < 48 ? `${formatNumber(hours)} h` : `${formatNumber(hours / 24)} d`;
}

/** A figure in the agreement's measure: points, or expected value in the agreement's currency. */
export function formatMeasure(
  value: number | null,
  measure: 'points' | 'expected-value',
  currency = 'USD',
): string {
  if (value === null) return '–';
  if (measure === 'points') return `${formatNumber(value)} pts`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
    value,
  );
}

/** "+12" / "−3" / "0" with the relative change when known: "+12 (+25%)". */
export function formatChange(change: { absolute: number; relative: number | null }): string {
  const sign = change.absolute > 0 ? '+' : change.absolute < 0 ? '−' : '';
  const absolute = `${sign}${formatNumber(Math.abs(change.absolute))}`;
  if (change.relative === null || change.absolute === 0) return absolute;
  return `${absolute} (${sign}${formatShare(Math.abs(change.relative))})`;
}
