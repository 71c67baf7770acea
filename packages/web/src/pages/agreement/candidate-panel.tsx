import { useRef, useState } from 'react';
import { useLocation } from 'react-router';
import type {
  AgreementCheckResult,
  AgreementIssue,
  AppliedVersion,
  FullAgreementVersion,
} from '../../api/agreement-types.ts';
import { ApiError, api } from '../../api/client.ts';
import { BacktestPanel } from '../../components/agreement/backtest-panel.tsx';
import { IssueList, revealLine, YamlEditor } from '../../components/agreement/yaml-editor.tsx';
import { canApplyAgreement, canRunBacktest } from '../../session/collaboration-permissions.ts';
import { useSession } from '../../session/session-context.tsx';
import { forgetAgreement } from '../../use-agreement.ts';

const maxFileBytes = 512 * 1024;

type Check =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; result: AgreementCheckResult; document: string }
  | { status: 'failed'; message: string };

/**
 * A candidate agreement: pasted or uploaded, validated by the server with every problem shown on
 * its line, backtested against the current version, and applied (admins and managers) after a
 * confirmation.
 */
export function CandidatePanel({
  current,
  onApplied,
}: {
  current: FullAgreementVersion;
  onApplied(): Promise<void>;
}) {
  const session = useSession();
  const mayApply = canApplyAgreement(session.user.role);
  const mayBacktest = canRunBacktest(session.user.role);
  // Another page may hand a candidate over (the insights' learned suggestion) in the navigation state.
  const handed = useLocation().state as { candidate?: unknown; source?: unknown } | null;
  const [document, setDocument] = useState(
    typeof handed?.candidate === 'string' ? handed.candidate : current.document,
  );
  const [source, setSource] = useState(
    typeof handed?.candidate === 'string' && typeof handed.source === 'string'
      ? handed.source
      : `version ${current.version}`,
  );
  const [check, setCheck] = useState<Check>({ status: 'idle' });
  const [fileError, setFileError] = useState<string>();
  const [applied, setApplied] = useState<AppliedVersion>();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const reps = new Map(
    current.agreement.teams.flatMap((team) => team.reps.map((rep) => [rep.id, rep.name] as const)),
  );
  const repName = (id: string) => reps.get(id) ?? id;

  const checked = check.status === 'done' ? check : undefined;
  const stale = checked !== undefined && checked.document !== document;
  const valid = checked?.result.ok === true && !stale;
  const issues = checked && !checked.result.ok ? checked.result.issues : [];

  const validate = async () => {
    setCheck({ status: 'checking' });
    setApplied(undefined);
    try {
      const result = await api.post<AgreementCheckResult>('/api/v1/agreements/check', { document });
      setCheck({ status: 'done', result, document });
    } catch (error) {
      setCheck({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const reveal = (issue: AgreementIssue) => {
    if (textarea.current && issue.line !== undefined) revealLine(textarea.current, issue.line, issue.column);
  };

  return (
    <div className="candidate">
      <div className="candidate-editor card">
        <div className="candidate-toolbar">
          <h2>Candidate</h2>
          <span className="muted small">from {source}</span>
          <label className="button button-quiet candidate-upload">
            Upload a YAML file…
            <input
              type="file"
              accept=".yaml,.yml,text/yaml,application/yaml,text/plain"
              className="visually-hidden"
              onChange={async (event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (!file) return;
                if (file.size > maxFileBytes) {
                  setFileError(`${file.name} is larger than 512 KB; an agreement is a few hundred lines.`);
                  return;
                }
                setFileError(undefined);
                setDocument(await file.text());
                setSource(file.name);
                setCheck({ status: 'idle' });
              }}
            />
          </label>
          <button
            type="button"
            className="button button-quiet"
            aria-label="Reset to the current version"
            title="Reset to the current version"
            disabled={document === current.document}
            onClick={() => {
              setDocument(current.document);
              setSource(`version ${current.version}`);
              setCheck({ status: 'idle' });
            }}
          >
            Reset
          </button>
        </div>
        <p className="hint">
          Paste or edit the YAML here, or upload a file; nothing changes until it is applied.
        </p>
        {fileError && (
          <p className="form-error" role="alert">
            {fileError}
          </p>
        )}
        <YamlEditor
          value={document}
          onChange={(value) => {
            setDocument(value);
            if (source.startsWith('version ')) setSource(`version ${current.version}, edited`);
          }}
          issues={stale ? [] : issues}
          label="Candidate agreement (YAML)"
          textareaRef={textarea}
        />
        <div className="candidate-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={check.status === 'checking' || document.trim() === ''}
            onClick={validate}
          >
            {check.status === 'checking' ? 'Validating…' : 'Validate'}
          </button>
          {mayApply ? (
            <ApplyButton
              document={document}
              disabled={!valid}
              currentVersion={current.version}
              onApplied={async (result) => {
                setApplied(result);
                forgetAgreement();
                await onApplied();
              }}
            />
          ) : (
            <span className="muted small">
              Only admins and managers apply a version; you can validate and share it.
            </span>
          )}
        </div>
      </div>

      <div className="candidate-side">
        <section className="card" aria-labelledby="check-title" aria-live="polite">
          <h2 id="check-title">Validation</h2>
          {check.status === 'idle' && (
            <p className="muted">Validate the candidate to see its problems or its summary.</p>
          )}
          {check.status === 'checking' && <p className="muted">Validating…</p>}
          {check.status === 'failed' && <p className="form-error">{check.message}</p>}
          {checked && (
            <>
              {stale && <p className="notice">The document changed since this check: validate again.</p>}
              {checked.result.ok ? (
                <>
                  <p className="form-success">The candidate is valid.</p>
                  {checked.result.summary && (
                    <details className="check-details">
                      <summary>What the candidate says, in short</summary>
                      <pre className="check-summary">{checked.result.summary}</pre>
                    </details>
                  )}
                </>
              ) : (
                <>
                  <p className="form-error" data-testid="check-verdict">
                    {checked.result.issues.length} problem{checked.result.issues.length === 1 ? '' : 's'}:
                    nothing can be applied until they are fixed.
                  </p>
                  <IssueList
                    issues={checked.result.issues}
                    document={checked.document}
                    kind="problem"
                    onReveal={reveal}
                  />
                </>
              )}
              {checked.result.warnings.length > 0 && (
                <>
                  <h3>Warnings</h3>
                  <IssueList
                    issues={checked.result.warnings}
                    document={checked.document}
                    kind="warning"
                    onReveal={reveal}
                  />
                </>
              )}
            </>
          )}
          {applied && (
            <p className="form-success" role="status">
              {applied.unchanged
                ? `Identical to version ${applied.version}: nothing was stored.`
                : `Applied as version ${applied.version}.`}
            </p>
          )}
        </section>
        {mayBacktest && <BacktestPanel document={document} enabled={valid} repName={repName} />}
      </div>
    </div>
  );
}

function ApplyButton({
  document,
  disabled,
  currentVersion,
  onApplied,
}: {
  document: string;
  disabled: boolean;
  currentVersion: number;
  onApplied(result: AppliedVersion): Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  return (
    <>
      <button
        type="button"
        className="button"
        disabled={disabled}
        title={disabled ? 'Validate the candidate first' : undefined}
        onClick={() => {
          setError(undefined);
          dialog.current?.showModal();
        }}
      >
        Apply…
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby="apply-title">
        <form
          method="dialog"
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              const result = await api.post<AppliedVersion>('/api/v1/agreements', {
                document,
                ...(note.trim() ? { note: note.trim() } : {}),
              });
              dialog.current?.close();
              setNote('');
              await onApplied(result);
            } catch (failure) {
              setError(
                failure instanceof ApiError && failure.status === 403
                  ? 'You may not apply agreement versions.'
                  : failure instanceof Error
                    ? failure.message
                    : String(failure),
              );
            } finally {
              setBusy(false);
            }
          }}
        >
          <h2 id="apply-title">Apply as version {currentVersion + 1}?</h2>
          <p>
            Both teams work to the new version from now on: scores, quadrants, routing and SLA clocks of new
            facts follow it. Earlier versions stay in the history.
          </p>
          <label className="field">
            <span>Why (a note kept with the version)</span>
            <input value={note} maxLength={500} onChange={(event) => setNote(event.target.value)} />
          </label>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-quiet" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Applying…' : `Apply version ${currentVersion + 1}`}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
