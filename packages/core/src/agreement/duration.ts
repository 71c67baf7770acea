const minutesPerUnit = { w: 7 * 24 * 60, d: 24 * 60, h: 60, m: 1 } as const;

type DurationUnit = keyof typeof minutesPerUnit;

const unitOrder: readonly DurationUnit[] = ['w', 'd', 'h', 'm'];

const partPattern = /(\d+)\s*([wdhm])/gy;

/**
 * Reads a duration such as "90m", "24h", "3d", "2w" or "1h30m" and returns it in minutes.
 * Units are w (weeks), d (days), h (hours) and m (minutes), each at most once and from the
 * largest down. Returns `undefined` for anything else, including an empty or zero duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  partPattern.lastIndex = 0;
  let minutes = 0;
  let previousUnit = -1;
  let position = 0;
  while (position < trimmed.length) {
    partPattern.lastIndex = position;
    const match = partPattern.exec(trimmed);
    if (!match) return undefined;
    const unitIndex = unitOrder.indexOf(match[2] as DurationUnit);
    if (unitIndex <= previousUnit) return undefined;
    previousUnit = unitIndex;
    minutes += Number(match[1]) * minutesPerUnit[match[2] as DurationUnit];
    position = partPattern.lastIndex;
    while (trimmed[position] === ' ') position += 1;
  }
  return minutes > 0 ? minutes : undefined;
}
