/**
 * A rate with its 95 % interval on a shared scale: the interval as a band, the rate as a dot, the
 * average as a line, so rows can be compared at a glance.
 */
export function IntervalBar({
  rate,
  low,
  high,
  average,
  max,
}: {
  rate: number;
  low: number;
  high: number;
  average: number | null;
  max: number;
}) {
  const at = (value: number) => `${Math.min(100, Math.max(0, (value / max) * 100))}%`;
  return (
    <span className="interval" aria-hidden="true">
      {average !== null && <span className="interval-average" style={{ left: at(average) }} />}
      <span className="interval-band" style={{ left: at(low), width: `calc(${at(high)} - ${at(low)})` }} />
      <span className="interval-dot" style={{ left: at(rate) }} />
    </span>
  );
}
