/** Display helpers: times, durations and numbers as people read them. */
const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatNumber(value: number): string {
  return number.format(value);
}

/** "3 h 20 min", "2 d 4 h", "45 s": the `parts` largest units of a duration. */
export function formatDuration(ms: number, parts = 2): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const units: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'min'],
    [seconds % 60, 's'],
  ];
  const first = units.findIndex(([value]) => value > 0);
  if (first === -1) return '0 s';
  return units
    .slice(first, first + parts)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}

/** "5 min ago", "3 d ago". */
export function formatAgo(iso: string, now: number): string {
  const ms = now - new Date(iso).getTime();
  if (ms < 60_000) return 'just now';
  return `${formatDuration(ms).split(' ').slice(0, 2).join(' ')} ago`;
}

export function humanize(id: string): string {
  const text = id.replace(/[-_]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
