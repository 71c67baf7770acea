import type { Contribution } from '../api/types.ts';
import { formatNumber } from '../format.ts';

/**
 * What makes up a score, largest first: one bar per contribution, scaled to the largest, negative
 * points drawn to the left in a warning colour.
 */
export function ExplanationBars({ contributions, label }: { contributions: Contribution[]; label: string }) {
  if (contributions.length === 0) return <p className="muted">Nothing contributes yet.</p>;
  const largest = Math.max(...contributions.map((c) => Math.abs(c.points)), 1);
  return (
    <ul className="explanation" aria-label={label}>
      {contributions.map((contribution) => {
        const width = `${Math.max(2, (Math.abs(contribution.points) / largest) * 100)}%`;
        const negative = contribution.points < 0;
        return (
          <li key={contribution.id} className="explanation-row" title={contribution.detail}>
            <span className="explanation-label">{contribution.label}</span>
            <span className="explanation-track" aria-hidden="true">
              <span className={`explanation-bar ${negative ? 'negative' : ''}`} style={{ width }} />
            </span>
            <span className={`explanation-points ${negative ? 'negative' : ''}`}>
              {negative ? '' : '+'}
              {formatNumber(contribution.points)}
            </span>
            {contribution.detail && <span className="explanation-detail">{contribution.detail}</span>}
          </li>
        );
      })}
    </ul>
  );
}
