/** How the brief writes figures, the same in Markdown and HTML. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value * 1000) / 10}%`;
}

/** A relative change with its sign: +42.9%, −12%, or – when unknown. */
export function formatChange(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const text = formatPercent(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return (Math.round(value * 100) / 100).toLocaleString('en-US');
}

export function formatMoney(value: number | null | undefined, currency: string): string {
  return value === null || value === undefined
    ? '–'
    : `${currency} ${Math.round(value).toLocaleString('en-US')}`;
}

/** A local calendar day from an ISO instant, in the time zone given. */
export function formatDay(iso: string, timezone: string): string {
  return new Date(iso).toLocaleDateString('en-CA', { timeZone: timezone });
}

export function formatHours(hours: number): string {
  return hours >= 48 ? `${Math.round(hours / 24)} days` : `${Math.round(hours)} h`;
}

export function segmentText(segment: { key: string; value: string } | null): string {
  return segment === null ? 'everyone' : `${segment.key} = ${segment.value}`;
}

/** Only http(s) links are ever written out as links. */
export function safeLink(link: string | null): string | null {
  return link !== null && /^https?:\/\//i.test(link) ? link : null;
}
