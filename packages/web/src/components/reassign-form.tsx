import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { Reassignment } from '../api/types.ts';

type Rep = { id: string; name: string; team: string };

/**
 * Gives one lead to another rep (managers and admins): a rep of the agreement and an optional
 * reason. Opens with the rep list focused; Escape or Cancel closes it and `onClose` returns focus.
 */
export function ReassignForm({
  contactId,
  leadName,
  reps,
  currentRepId,
  onDone,
  onClose,
}: {
  contactId: string;
  leadName: string;
  reps: Rep[];
  currentRepId: string | null;
  onDone(reassignment: Reassignment, repName: string): void;
  onClose(): void;
}) {
  const choices = reps.filter((rep) => rep.id !== currentRepId);
  const [repId, setRepId] = useState(choices[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const select = useRef<HTMLSelectElement>(null);
  // One key per opened form: a double submit or a retry after a lost answer stores one reassignment.
  const [idempotencyKey] = useState(() => `web-${contactId}-${Date.now().toString(36)}`);
  const id = useId();

  useEffect(() => {
    select.current?.focus();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!repId) return;
    setSending(true);
    setError(undefined);
    try {
      const answer = await api.post<Reassignment>(`/api/v1/contacts/${contactId}/reassign`, {
        repId,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        idempotencyKey,
      });
      onDone(answer, reps.find((rep) => rep.id === repId)?.name ?? repId);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
      setSending(false);
    }
  }

  return (
    <form
      className="reassign-form"
      aria-label={`Reassign ${leadName}`}
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <label className="field" htmlFor={`${id}-rep`}>
        <span>New owner</span>
        <select
          id={`${id}-rep`}
          ref={select}
          value={repId}
          onChange={(event) => setRepId(event.target.value)}
        >
          {choices.map((rep) => (
            <option key={rep.id} value={rep.id}>
              {rep.name} ({rep.team})
            </option>
          ))}
        </select>
      </label>
      <label className="field reassign-reason" htmlFor={`${id}-reason`}>
        <span>Reason (optional)</span>
        <input
          id={`${id}-reason`}
          type="text"
          maxLength={500}
          value={reason}
          placeholder="e.g. Sam covers this account"
          onChange={(event) => setReason(event.target.value)}
        />
      </label>
      <div className="reassign-buttons">
        <button type="submit" className="button button-primary" disabled={sending || !repId}>
          {sending ? 'Reassigning…' : 'Reassign'}
        </button>
        <button type="button" className="button button-quiet" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="reassign-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
