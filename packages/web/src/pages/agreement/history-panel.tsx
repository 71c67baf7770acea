import { Link, useSearchParams } from 'react-router';
import type { AgreementDiff, VersionSummary } from '../../api/agreement-types.ts';
import { query } from '../../api/client.ts';
import { DiffTable } from '../../components/agreement/diff-table.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/status.tsx';
import { formatDateTime } from '../../format.ts';
import { useApi } from '../../use-api.ts';

/** Every version, newest first, and the changes between any two (`from` and `to` in the URL). */
export function HistoryPanel({ versions }: { versions: readonly VersionSummary[] }) {
  const [params, setParams] = useSearchParams();
  const newest = versions.at(-1)?.version ?? 1;
  const parse = (name: string, fallback: number) => {
    const value = Number(params.get(name));
    return versions.some((version) => version.version === value) ? value : fallback;
  };
  const to = parse('to', newest);
  const from = parse('from', Math.max(1, to - 1));
  const diff = useApi<AgreementDiff>(
    from === to ? undefined : `/api/v1/agreements/diff${query({ from, to })}`,
  );
  const choose = (name: 'from' | 'to', value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    setParams(next, { replace: true });
  };

  return (
    <div className="history">
      <div className="table-wrap">
        <table className="agreement-table history-table">
          <caption className="visually-hidden">Versions of the agreement</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Applied</th>
              <th scope="col">By</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((version) => (
              <tr key={version.version} aria-current={version.version === newest ? 'true' : undefined}>
                <th scope="row">
                  {version.version}
                  {version.version === newest && <span className="badge stage">current</span>}
                </th>
                <td>{formatDateTime(version.appliedAt)}</td>
                <td>{version.appliedBy}</td>
                <td>{version.note ?? <span className="muted">—</span>}</td>
                <td className="history-actions">
                  <Link to={`/agreement?tab=current&version=${version.version}`}>Read</Link>
                  {version.version > 1 && (
                    <Link to={`/agreement?tab=history&from=${version.version - 1}&to=${version.version}`}>
                      Changes
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="card diff-card">
        <div className="diff-head">
          <h2>What changed</h2>
          <label className="field field-inline">
            <span>From</span>
            <select value={from} onChange={(event) => choose('from', event.target.value)}>
              {versions.map((version) => (
                <option key={version.version} value={version.version}>
                  Version {version.version}
                </option>
              ))}
            </select>
          </label>
          <label className="field field-inline">
            <span>To</span>
            <select value={to} onChange={(event) => choose('to', event.target.value)}>
              {versions.map((version) => (
                <option key={version.version} value={version.version}>
                  Version {version.version}
                </option>
              ))}
            </select>
          </label>
        </div>
        {versions.length < 2 ? (
          <Empty title="Only one version so far">Apply a candidate to start the history.</Empty>
        ) : from === to ? (
          <Empty title="The same version on both sides">Choose two different versions to compare.</Empty>
        ) : diff.status === 'failed' ? (
          <ErrorMessage error={diff.error} onRetry={() => void diff.reload()} />
        ) : !diff.data ? (
          <Loading label="Comparing…" />
        ) : diff.data.changes.length === 0 ? (
          <Empty title="No differences">The two versions agree on everything.</Empty>
        ) : (
          <>
            <p className="muted small">
              {diff.data.changes.length} change{diff.data.changes.length === 1 ? '' : 's'} from version{' '}
              {diff.data.from} to version {diff.data.to}.
            </p>
            <DiffTable changes={diff.data.changes} />
          </>
        )}
      </div>
    </div>
  );
}
