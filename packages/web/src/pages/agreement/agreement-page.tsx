import { useSearchParams } from 'react-router';
import type { FullAgreementVersion, VersionSummary } from '../../api/agreement-types.ts';
import { AgreementView } from '../../components/agreement/agreement-view.tsx';
import { ErrorMessage, Loading } from '../../components/status.tsx';
import { formatDateTime } from '../../format.ts';
import { useApi } from '../../use-api.ts';
import '../collaboration.css';
import { CandidatePanel } from './candidate-panel.tsx';
import { HistoryPanel } from './history-panel.tsx';

const tabs = [
  ['current', 'Current version'],
  ['history', 'History and changes'],
  ['candidate', 'Propose a change'],
] as const;
type Tab = (typeof tabs)[number][0];

/**
 * The agreement both teams work to: the current version in words, every version and what changed,
 * and a candidate to validate, backtest and apply. The tab and versions live in the URL.
 */
export function AgreementPage() {
  const [params, setParams] = useSearchParams();
  const tab: Tab = tabs.some(([id]) => id === params.get('tab')) ? (params.get('tab') as Tab) : 'current';
  const versionParam = params.get('version');
  const current = useApi<FullAgreementVersion>('/api/v1/agreements/current');
  const versions = useApi<{ versions: VersionSummary[] }>('/api/v1/agreements');
  // An earlier version to read (`?version=N`); without one the current version is shown.
  const reading = versionParam !== null && /^\d+$/.test(versionParam);
  const earlier = useApi<FullAgreementVersion>(reading ? `/api/v1/agreements/${versionParam}` : undefined);
  const shown = reading ? earlier : current;

  const select = (next: Tab) => {
    const nextParams = new URLSearchParams(params);
    nextParams.set('tab', next);
    if (next !== 'current') nextParams.delete('version');
    setParams(nextParams);
  };

  return (
    <section aria-labelledby="agreement-title" className="agreement-page">
      <div className="page-header">
        <div>
          <h1 id="agreement-title">The agreement</h1>
          <p className="muted">
            {current.data ? (
              <>
                Version {current.data.version}: {current.data.agreement.name} · applied{' '}
                {formatDateTime(current.data.appliedAt)} by {current.data.appliedBy}
                {current.data.note ? ` · “${current.data.note}”` : ''}
              </>
            ) : (
              'What sales and marketing agreed on, in one versioned document.'
            )}
          </p>
        </div>
      </div>

      <div className="tabs" role="tablist" aria-label="Agreement views">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`agreement-tab-${id}`}
            aria-selected={tab === id}
            aria-controls="agreement-panel"
            tabIndex={tab === id ? 0 : -1}
            className={tab === id ? 'tab tab-active' : 'tab'}
            onClick={() => select(id)}
            onKeyDown={(event) => {
              const index = tabs.findIndex(([candidate]) => candidate === id);
              const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
              if (step === 0) return;
              const next = tabs[(index + step + tabs.length) % tabs.length];
              if (!next) return;
              select(next[0]);
              document.getElementById(`agreement-tab-${next[0]}`)?.focus();
            }}
          >
            {label}
          </button>
        ))}
      </div>

      <div id="agreement-panel" role="tabpanel" aria-labelledby={`agreement-tab-${tab}`}>
        {tab === 'current' &&
          (shown.status === 'failed' ? (
            <ErrorMessage error={shown.error} onRetry={() => void shown.reload()} />
          ) : !shown.data ? (
            <Loading label="Loading the agreement…" />
          ) : (
            <>
              {current.data && shown.data.version !== current.data.version && (
                <p className="notice">
                  You are reading version {shown.data.version} (applied {formatDateTime(shown.data.appliedAt)}
                  ); the current version is {current.data.version}.
                </p>
              )}
              <AgreementView agreement={shown.data.agreement} />
              <details className="card agreement-yaml">
                <summary>The YAML document of version {shown.data.version}</summary>
                <pre>{shown.data.document}</pre>
              </details>
            </>
          ))}
        {tab === 'history' &&
          (versions.status === 'failed' ? (
            <ErrorMessage error={versions.error} onRetry={() => void versions.reload()} />
          ) : !versions.data ? (
            <Loading label="Loading the versions…" />
          ) : (
            <HistoryPanel versions={versions.data.versions} />
          ))}
        {tab === 'candidate' &&
          (current.status === 'failed' ? (
            <ErrorMessage error={current.error} onRetry={() => void current.reload()} />
          ) : !current.data ? (
            <Loading label="Loading the current document…" />
          ) : (
            <CandidatePanel
              current={current.data}
              onApplied={async () => {
                await Promise.all([current.reload(), versions.reload()]);
              }}
            />
          ))}
      </div>
    </section>
  );
}
