import { useState } from 'react';
import type { FullAgreement } from '../../api/agreement-types.ts';
import { ApiError, api } from '../../api/client.ts';
import type { Persona, PersonaEditResult } from '../../api/collaboration-types.ts';
import { ConditionText, conditionNamesOf } from '../../components/agreement/condition-text.tsx';
import { FormField } from '../../components/collaboration/form-field.tsx';
import { ConditionBuilder, conditionOfDraft, draftOf } from '../../components/personas/condition-builder.tsx';

type FieldErrors = Partial<
  Record<'id' | 'label' | 'description' | 'team' | 'pains' | 'match' | 'form', string[]>
>;

const idPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Which field of the form an issue from the server is about: by the path of the issue. */
function fieldOf(path: readonly (string | number)[]): keyof FieldErrors {
  const names = path.map(String);
  for (const field of ['match', 'pains', 'team', 'description', 'label', 'id'] as const)
    if (names.includes(field)) return field;
  return 'form';
}

function errorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return { form: [error instanceof Error ? error.message : String(error)] };
  if (error.status === 409) {
    const taken = (error.details as { id?: unknown } | undefined)?.id;
    return typeof taken === 'string'
      ? { id: [`A persona with the id “${taken}” already exists: choose another id, or edit that persona.`] }
      : { form: [error.message] };
  }
  const details = error.details as
    | { issues?: { path?: (string | number)[]; message: string; pathText?: string }[]; field?: string }
    | undefined;
  if (error.status === 400 && details?.issues && details.issues.length > 0) {
    const errors: FieldErrors = {};
    for (const issue of details.issues) {
      const field = fieldOf(issue.path ?? []);
      const where =
        field === 'match' && issue.pathText ? `${issue.pathText.replace(/^personas\[[^\]]*\]\./, '')}: ` : '';
      errors[field] = [...(errors[field] ?? []), `${where}${issue.message}`];
    }
    return errors;
  }
  return { form: [error.message] };
}

/** Creates a persona or edits one; every save is a new agreement version made on `version`. */
export function PersonaForm({
  persona,
  version,
  agreement,
  onSaved,
  onCancel,
  onConflict,
}: {
  persona?: Persona;
  version: number;
  agreement: FullAgreement;
  onSaved(result: PersonaEditResult): void;
  onCancel(): void;
  onConflict(): void;
}) {
  const creating = persona === undefined;
  const idPrefix = `persona-${persona?.id ?? 'new'}`;
  const [id, setId] = useState(persona?.id ?? '');
  const [label, setLabel] = useState(persona?.label ?? '');
  const [description, setDescription] = useState(persona?.description ?? '');
  const [team, setTeam] = useState(persona?.team ?? '');
  const [pains, setPains] = useState((persona?.pains ?? []).join('\n'));
  const [draft, setDraft] = useState(() => draftOf(persona?.match));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const parsed = conditionOfDraft(draft);
  const names = conditionNamesOf(agreement);

  const submit = async () => {
    const local: FieldErrors = {};
    if (creating && !idPattern.test(id))
      local.id = ['An id is lowercase letters, digits and dashes, like “revops-leader”.'];
    if (!label.trim()) local.label = ['A persona needs a name.'];
    if (!parsed.ok) local.match = [parsed.error];
    setErrors(local);
    setConflict(false);
    if (Object.keys(local).length > 0 || !parsed.ok) return;
    const body = {
      version,
      label: label.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      match: parsed.condition,
      ...(team ? { team } : {}),
      pains: pains
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    };
    setBusy(true);
    try {
      const result = creating
        ? await api.post<PersonaEditResult>('/api/v1/personas', { ...body, id })
        : await api.put<PersonaEditResult>(`/api/v1/personas/${encodeURIComponent(persona.id)}`, body);
      onSaved(result);
    } catch (error) {
      setErrors(errorsOf(error));
      setConflict(
        error instanceof ApiError && error.status === 409 && error.details !== undefined && !creating,
      );
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: keyof FieldErrors) => errors[field]?.join(' ');

  return (
    <form
      className="persona-form"
      aria-label={creating ? 'New persona' : `Edit ${persona.label}`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {errors.form && (
        <div className="form-error" role="alert">
          {errors.form.join(' ')}
          {conflict && (
            <button type="button" className="button" onClick={onConflict}>
              Reload the personas
            </button>
          )}
        </div>
      )}
      <div className="persona-form-grid">
        {creating && (
          <FormField id={`${idPrefix}-id`} label="Id" error={fieldError('id')}>
            {(control) => (
              <input
                {...control}
                value={id}
                onChange={(event) => setId(event.target.value)}
                placeholder="ops-manager"
              />
            )}
          </FormField>
        )}
        <FormField id={`${idPrefix}-label`} label="Name" error={fieldError('label')}>
          {(control) => (
            <input {...control} value={label} onChange={(event) => setLabel(event.target.value)} />
          )}
        </FormField>
        <FormField id={`${idPrefix}-team`} label="Team specialised on them" error={fieldError('team')}>
          {(control) => (
            <select {...control} value={team} onChange={(event) => setTeam(event.target.value)}>
              <option value="">No team (routing as usual)</option>
              {agreement.teams.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.label}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </div>
      <FormField id={`${idPrefix}-description`} label="Description" error={fieldError('description')}>
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </FormField>
      <div className="field">
        <ConditionBuilder draft={draft} onChange={setDraft} idPrefix={idPrefix} />
        {parsed.ok && (
          <div className="hint">
            In words: <ConditionText condition={parsed.condition} names={names} />
          </div>
        )}
        {errors.match && (
          <span className="field-error" role="alert">
            {errors.match.join(' ')}
          </span>
        )}
      </div>
      <FormField id={`${idPrefix}-pains`} label="Pains (one per line)" error={fieldError('pains')}>
        {(control) => (
          <textarea {...control} rows={3} value={pains} onChange={(event) => setPains(event.target.value)} />
        )}
      </FormField>
      <div className="dialog-actions">
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : creating ? 'Add persona' : 'Save changes'}
        </button>
      </div>
      <p className="hint">Saving makes a new version of the agreement; the history shows who changed what.</p>
    </form>
  );
}
