import type { ClockStatus } from '../api/types.ts';
import { humanize } from '../format.ts';

const quadrantHints: Record<string, string> = {
  hot: 'Good fit and interested: sales follows up now',
  fan: 'Interested, weaker fit: low-cost follow-up',
  nurture: 'Good fit, little interest yet: marketing nurtures',
  drop: 'Neither fit nor interest',
};

export function QuadrantBadge({ quadrant }: { quadrant: string }) {
  return (
    <span className={`badge quadrant quadrant-${quadrant}`} title={quadrantHints[quadrant]}>
      {humanize(quadrant)}
    </span>
  );
}

export function StageBadge({ stage, label }: { stage: string; label?: string | undefined }) {
  return <span className={`badge stage stage-${stage}`}>{label ?? stage.toUpperCase()}</span>;
}

const clockLabels: Record<ClockStatus, string> = {
  open: 'Open',
  worked: 'Worked',
  breached: 'Breached',
  cancelled: 'Cancelled',
};

export function ClockBadge({ status }: { status: ClockStatus }) {
  return <span className={`badge clock clock-${status}`}>{clockLabels[status]}</span>;
}
