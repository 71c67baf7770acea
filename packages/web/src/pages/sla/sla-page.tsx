import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api, query } from '../../api/client.ts';
import type { SlaReport, SlaSettlement } from '../../api/report-types.ts';
import type { Role } from '../../api/types.ts';
import { ReportFootnote } from '../../components/report/report-frame.tsx';
import { SelectField } from '../../components/report/select-field.tsx';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useSession } from '../../session/session-context.tsx';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import { useApi } from '../../use-api.ts';
import { MarketingHalf } from './marketing-half.tsx';
import { SalesHalf } from './sales-half.tsx';
import { SlaBreaches } from './sla-breaches.tsx';
import { kindOfPeriod, recentPeriods } from './sla-periods.ts';
import { SlaSettlements } from './sla-settlements.tsx';
import '../reports/reports.css';

/** `reports:close`: who may close a period that is over. */
function canClosePeriods(role: Role): boolean {
  return role === 'admin' || role === 'manager';
}

/**
 * The SLA board, the page a weekly meeting opens: marketing's value delivered against target and
 * pace, sales' share worked in time, the breaches, and the periods already settled.
 */
export function SlaPage() {
  const session = useSession();
  const [search, setSearch] = useSearchParams();
  const period = search.get('period') ?? undefined;
  const state = useApi<SlaReport>(`/api/v1/reports/sla${query({ period })}`);
  const settlements = useApi<{ settlements: SlaSettlement[] }>('/api/v1/reports/sla/settlements');
  const current = useAgreement();
  const agreement = current?.agreement;
  const currency = (agreement as { currency?: unknown } | undefined)?.currency;
  const label = useMemo(() => labelsOf(agreement), [agreement]);
  const teams = useMemo(
    () => new Map((agreement?.teams ?? []).map((team) => [team.id, team.label])),
    [agreement],
  );
  const teamName = useCallback(
    (id: string | null) => (id === null ? 'No team' : id === 'all' ? 'All' : (teams.get(id) ?? id)),
    [teams],
  );
  const report = state.data;
  const shownLabel = report?.period.label ?? period ?? '';
  const options = useMemo(() => {
    const labels = recentPeriods(kindOfPeriod(shownLabel), new Date(), 12);
    for (const settled of settlements.data?.settlements ?? [])
      if (!labels.includes(settled.period)) labels.push(settled.period);
    if (shownLabel && !labels.includes(shownLabel)) labels.push(shownLabel);
    return labels.sort().reverse();
  }, [shownLabel, settlements.data]);
  const settled = settlements.data?.settlements.find((entry) => entry.period === shownLabel);
  const money = typeof currency === 'string' ? currency : undefined;

  return (
    <section aria-labelledby="sla-title" className="report">
      <div className="page-header">
        <div>
          <h1 id="sla-title">SLA board</h1>
          <p className="muted">
            Both halves of the service-level agreement: what marketing delivered and how fast sales worked it.
          </p>
        </div>
      </div>

      <div className="period-bar">
        <SelectField
          label="Period"
          value={shownLabel}
          onChange={(value) => {
            const next = new URLSearchParams(search);
            next.set('period', value);
            setSearch(next);
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
              {option === options[0] ? ' (running)' : ''}
            </option>
          ))}
        </SelectField>
        {report && (
          <p className="period-progress">
            {formatNumber(report.marketing.total.pace.businessDays.elapsed)} of{' '}
            {formatNumber(report.marketing.total.pace.businessDays.total)} business days elapsed
            {settled && ` · settled ${formatDateTime(settled.closedAt)} by ${settled.closedBy}`}
          </p>
        )}
        {report && canClosePeriods(session.user.role) && !settled && (
          <ClosePeriod report={report} onClosed={() => void settlements.reload()} />
        )}
      </div>

      {state.status === 'failed' && <ErrorMessage error={state.error} onRetry={() => void state.reload()} />}
      {report === undefined ? (
        state.status === 'loading' && <Loading label="Computing the SLA…" />
      ) : (
        <div
          className="report-body"
          aria-busy={state.status === 'loading'}
          data-loading={state.status === 'loading'}
        >
          <div className="sla-halves">
            <MarketingHalf report={report} teamName={teamName} currency={money} />
            <SalesHalf report={report} teamName={teamName} repName={label} />
          </div>
          <div className="sla-halves">
            <SlaBreaches report={report} />
          </div>
          <div className="sla-wide">
            <article className="card" aria-labelledby="settlements-title">
              <h2 id="settlements-title">Past settlements</h2>
              {settlements.data ? (
                <SlaSettlements settlements={settlements.data.settlements} currency={money} />
              ) : settlements.status === 'failed' ? (
                <ErrorMessage error={settlements.error} onRetry={() => void settlements.reload()} />
              ) : (
                <Loading />
              )}
            </article>
          </div>
          <ReportFootnote meta={report} />
        </div>
      )}
    </section>
  );
}

/** Closing a period stores its settlement for good: a second step asks to confirm. */
function ClosePeriod({ report, onClosed }: { report: SlaReport; onClosed(): void }) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'closing'>('idle');
  const [error, setError] = useState<string | undefined>();
  const label = report.period.label;
  const over = new Date(report.asOf) >= new Date(report.period.to);
  if (!label) return null;
  if (!over) return <p className="close-period hint">This period can be closed once it is over.</p>;
  return (
    <div className="close-period">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {step === 'idle' ? (
        <button type="button" className="button" onClick={() => setStep('confirm')}>
          Close period {label}…
        </button>
      ) : (
        <>
          <span className="small">Store {label}'s figures as they stand, for good?</span>
          <button
            type="button"
            className="button button-primary"
            disabled={step === 'closing'}
            onClick={async () => {
              setStep('closing');
              setError(undefined);
              try {
                await api.post('/api/v1/reports/sla/settlements', { period: label });
                onClosed();
              } catch (caught) {
                setError(caught instanceof ApiError ? caught.message : String(caught));
              }
              setStep('idle');
            }}
          >
            Close {label}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setStep('idle')}>
            Cancel
          </button>
        </>
      )}
    </div>
  );
}
