import { useState } from 'react';
import { Link } from 'react-router';
import type { FullAgreementVersion } from '../../api/agreement-types.ts';
import { ApiError, api } from '../../api/client.ts';
import type { PersonaEditResult, PersonaList } from '../../api/collaboration-types.ts';
import { ConditionText, conditionNamesOf } from '../../components/agreement/condition-text.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/status.tsx';
import { formatNumber } from '../../format.ts';
import { canEditShared } from '../../session/collaboration-permissions.ts';
import { useSession } from '../../session/session-context.tsx';
import { forgetAgreement } from '../../use-agreement.ts';
import { useApi } from '../../use-api.ts';
import '../collaboration.css';
import { PersonaForm } from './persona-form.tsx';

/**
 * The people both teams sell to: who they are (the match condition, in words), what hurts them,
 * and the team specialised on them. Both teams edit them; every edit is an agreement version.
 */
export function PersonasPage() {
  const session = useSession();
  const mayEdit = canEditShared(session.user.role);
  const list = useApi<PersonaList>('/api/v1/personas');
  const current = useApi<FullAgreementVersion>('/api/v1/agreements/current');
  const [editing, setEditing] = useState<string | 'new'>();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();

  const reload = async () => {
    forgetAgreement();
    await Promise.all([list.reload(), current.reload()]);
  };
  // The personas are fetched again before the confirmation shows, so what it confirms is on the page.
  const saved = async (result: PersonaEditResult, what: string) => {
    await reload();
    setEditing(undefined);
    setMessage({
      kind: 'success',
      text: result.unchanged
        ? `${what}: nothing changed.`
        : `${what}: saved as agreement version ${result.version}.`,
    });
  };

  if (list.status === 'failed' && !list.data)
    return <ErrorMessage error={list.error} onRetry={() => void list.reload()} />;
  if (!list.data || !current.data) return <Loading label="Loading the personas…" />;
  const agreement = current.data.agreement;
  const names = conditionNamesOf(agreement);
  const teamLabel = (id: string) => agreement.teams.find((team) => team.id === id)?.label ?? id;
  const version = list.data.version;

  return (
    <section aria-labelledby="personas-title" className="personas-page">
      <div className="page-header">
        <div>
          <h1 id="personas-title">Personas</h1>
          <p className="muted">
            The people both teams sell to, from agreement version {version}.{' '}
            <Link to="/agreement?tab=history">See the history</Link>.
          </p>
        </div>
        {mayEdit && editing !== 'new' && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setMessage(undefined);
              setEditing('new');
            }}
          >
            New persona
          </button>
        )}
      </div>
      {message && (
        <p className={message.kind === 'success' ? 'form-success' : 'form-error'} role="status">
          {message.text}
        </p>
      )}
      {editing === 'new' && (
        <article className="card persona-card">
          <h2>New persona</h2>
          <PersonaForm
            version={version}
            agreement={agreement}
            onSaved={(result) => void saved(result, result.persona?.label ?? 'New persona')}
            onCancel={() => setEditing(undefined)}
            onConflict={() => void reload()}
          />
        </article>
      )}
      {list.data.personas.length === 0 ? (
        <Empty title="No personas yet">
          {mayEdit
            ? 'Add the first one: who you sell to, and what hurts them.'
            : 'Nobody has described one yet.'}
        </Empty>
      ) : (
        <div className="persona-grid">
          {list.data.personas.map((persona) => (
            <article key={persona.id} className="card persona-card" aria-labelledby={`persona-${persona.id}`}>
              {editing === persona.id ? (
                <>
                  <h2 id={`persona-${persona.id}`}>Edit {persona.label}</h2>
                  <PersonaForm
                    persona={persona}
                    version={version}
                    agreement={agreement}
                    onSaved={(result) => void saved(result, persona.label)}
                    onCancel={() => setEditing(undefined)}
                    onConflict={() => void reload()}
                  />
                </>
              ) : (
                <>
                  <div className="persona-head">
                    <h2 id={`persona-${persona.id}`}>{persona.label}</h2>
                    <span className="muted small">{formatNumber(persona.contacts)} contacts</span>
                  </div>
                  {persona.team && <span className="owner owner-sales">{teamLabel(persona.team)}</span>}
                  {persona.description && <p>{persona.description}</p>}
                  <h3>Who</h3>
                  <div className="persona-match">
                    <ConditionText condition={persona.match} names={names} />
                  </div>
                  <h3>Pains</h3>
                  {persona.pains.length === 0 ? (
                    <p className="muted small">None written down yet.</p>
                  ) : (
                    <ul className="persona-pains">
                      {persona.pains.map((pain) => (
                        <li key={pain}>{pain}</li>
                      ))}
                    </ul>
                  )}
                  {mayEdit && (
                    <div className="persona-actions">
                      <button
                        type="button"
                        className="button"
                        onClick={() => {
                          setMessage(undefined);
                          setEditing(persona.id);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button-quiet"
                        onClick={async () => {
                          if (
                            !window.confirm(
                              `Remove the persona “${persona.label}”? This makes a new agreement version.`,
                            )
                          )
                            return;
                          try {
                            const result = await api.delete<PersonaEditResult>(
                              `/api/v1/personas/${encodeURIComponent(persona.id)}?version=${version}`,
                            );
                            await saved(result, `${persona.label} removed`);
                          } catch (error) {
                            setMessage({
                              kind: 'error',
                              text:
                                error instanceof ApiError || error instanceof Error
                                  ? error.message
                                  : String(error),
                            });
                          }
                        }}
                      >
                        Remove
                      </button>
                    </div>
                  )}
                </>
              )}
            </article>
          ))}
        </div>
      )}
    </section>
  );
}
