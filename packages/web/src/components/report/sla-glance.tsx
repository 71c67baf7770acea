import { Link } from 'react-router';
import type { SlaReport } from '../../api/report-types.ts';
import { formatNumber } from '../../format.ts';
import { useApi } from '../../use-api.ts';
import { Empty } from '../status.tsx';
import { formatMeasure, formatShare } from './report-format.ts';
import './sla-glance.css';

/**
 * Both halves of the running SLA period in four figures, for the home page: what marketing has
 * delivered against its pace, how much of it sales worked in time, and what is still untouched.
 */
export function SlaGlance() {
  const state = useApi<SlaReport>('/api/v1/reports/sla');
  const report = state.data;
  return (
    <article className="card glance" aria-labelledby="glance-title" aria-busy={state.status === 'loading'}>
      <h2 id="glance-title">
        This period at a glance{report?.period.label ? `: ${report.period.label}` : ''}
      </h2>
      {state.status === 'failed' ? (
        <Empty title="The SLA figures could not be loaded">{state.error.message}</Empty>
      ) : (
        <dl className="glance-figures">
          <div>
            <dt>Marketing delivered</dt>
            <dd>
              {report ? formatMeasure(report.marketing.total.value, report.marketing.measure) : '…'}
              {report && (
                <span className="glance-note">
                  of {formatMeasure(report.marketing.total.target, report.marketing.measure)} ·{' '}
                  {report.marketing.total.pace.onPace ? 'on pace' : 'behind pace'}
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Sales worked in time</dt>
            <dd>
              {report ? formatShare(report.sales.total.compliance) : '…'}
              {report && <span className="glance-note">target {formatShare(report.sales.target)}</span>}
            </dd>
          </div>
          <div>
            <dt>Breaches still untouched</dt>
            <dd>
              {report ? formatNumber(report.sales.total.openBreaches) : '…'}
              {report && (
                <span className="glance-note">of {formatNumber(report.sales.total.breaches)} breached</span>
              )}
            </dd>
          </div>
        </dl>
      )}
      <p className="glance-links">
        <Link to="/sla">Open the SLA board</Link>
        <Link to="/reports/funnel">Funnel</Link>
        <Link to="/reports/lead-flow">Lead flow</Link>
      </p>
    </article>
  );
}
