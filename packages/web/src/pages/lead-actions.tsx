import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.ts';
import type { Agreement, RecordOutcome } from '../api/types.ts';
import { humanize } from '../format.ts';

type Verdict = 'accept' | 'reject' | 'recycle';

const verdictLabels: Record<Verdict, string> = {
  accept: 'Accept',
  reject: 'Reject',
  recycle: 'Recycle',
};

const verdictDone: Record<Verdict, string> = { accept: 'Accepted', reject: 'Rejected', recycle: 'Recycled' };

const verdictHints: Record<Verdict, string> = {
  accept: 'Worth pursuing: the lead becomes sales-qualified.',
  reject: 'Not a real opportunity: the lead is disqualified.',
  recycle: 'Not now: back to marketing, returns later.',
};

/**
 * What a rep does on a lead: log a touch, and give feedback (accept, reject or recycle with a
 * reason from the agreement, and an optional 1–5 rating). Both are facts sent to the API; the
 * engine moves the lead within a moment and `onRecorded` refreshes the page.
 */
export function LeadActions(props: {
  contactId: string;
  repId: string;
  agreement: Agreement | undefined;
  onRecorded(kind: 'touch' | 'feedback', detail: string): Promise<void>;
}) {
  return (
    <div className="actions">
      <FeedbackForm {...props} />
      <TouchForm {...props} />
    </div>
  );
}

function rejectionOf(outcome: RecordOutcome): string | undefined {
  return outcome.rejected[0]?.message;
}

function TouchForm({ contactId, repId, agreement, onRecorded }: Parameters<typeof LeadActions>[0]) {
  const kinds = agreement?.sla.sales.qualifyingTouches ?? ['call', 'email', 'meeting'];
  const [kind, setKind] = useState(kinds[0] ?? 'call');
  const [outcome, setOutcome] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await api.post<RecordOutcome>('/api/v1/touches', {
        touches: [
          {
            contact: { contactId },
            repId,
            kind,
            occurredAt: new Date().toISOString(),
            ...(outcome.trim() ? { outcome: outcome.trim() } : {}),
          },
        ],
      });
      const rejected = rejectionOf(answer);
      if (rejected) {
        setMessage({ text: rejected, error: true });
      } else {
        setOutcome('');
        await onRecorded('touch', kind);
        setMessage({ text: `${humanize(kind)} logged.`, error: false });
      }
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card action-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Log a touch</h2>
      <fieldset className="segmented">
        <legend className="visually-hidden">Kind of touch</legend>
        {kinds.map((candidate) => (
          <label key={candidate} className="segment">
            <input
              type="radio"
              name={`${id}-kind`}
              value={candidate}
              checked={kind === candidate}
              onChange={() => setKind(candidate)}
            />
            <span>{humanize(candidate)}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Outcome (optional)</span>
        <input
          value={outcome}
          maxLength={200}
          placeholder="e.g. left a voicemail"
          onChange={(event) => setOutcome(event.target.value)}
        />
      </label>
      <button type="submit" className="button" disabled={busy}>
        {busy ? 'Logging…' : `Log ${kind}`}
      </button>
      {message && (
        <p
          className={message.error ? 'form-error' : 'form-success'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

function FeedbackForm({ contactId, repId, agreement, onRecorded }: Parameters<typeof LeadActions>[0]) {
  const [verdict, setVerdict] = useState<Verdict>('accept');
  const [reason, setReason] = useState('');
  const [rating, setRating] = useState<number | undefined>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const id = useId();
  const reasons =
    verdict === 'reject'
      ? (agreement?.feedback.rejectReasons ?? [])
      : verdict === 'recycle'
        ? (agreement?.feedback.recycleReasons ?? [])
        : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (reasons.length > 0 && !reason) {
      setMessage({ text: 'Choose a reason from the agreement.', error: true });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await api.post<RecordOutcome>('/api/v1/feedback', {
        feedback: [
          {
            contact: { contactId },
            repId,
            verdict,
            occurredAt: new Date().toISOString(),
            ...(reasons.length > 0 ? { reason } : {}),
            ...(rating === undefined ? {} : { rating }),
            ...(comment.trim() ? { comment: comment.trim() } : {}),
          },
        ],
      });
      const rejected = rejectionOf(answer);
      if (rejected) {
        setMessage({ text: rejected, error: true });
      } else {
        await onRecorded('feedback', verdict);
        setMessage({ text: `${verdictDone[verdict]}: the lead was updated.`, error: false });
        setComment('');
      }
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card action-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Feedback</h2>
      <fieldset className="segmented">
        <legend className="visually-hidden">Verdict</legend>
        {(Object.keys(verdictLabels) as Verdict[]).map((candidate) => (
          <label key={candidate} className={`segment segment-${candidate}`}>
            <input
              type="radio"
              name={`${id}-verdict`}
              value={candidate}
              checked={verdict === candidate}
              onChange={() => {
                setVerdict(candidate);
                setReason('');
              }}
            />
            <span>{verdictLabels[candidate]}</span>
          </label>
        ))}
      </fieldset>
      <p className="muted small">{verdictHints[verdict]}</p>
      {reasons.length > 0 && (
        <label className="field">
          <span>Reason</span>
          <select value={reason} required onChange={(event) => setReason(event.target.value)}>
            <option value="">Choose a reason…</option>
            {reasons.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="rating">
        <legend>Lead quality (optional)</legend>
        {[1, 2, 3, 4, 5].map((value) => (
          <label key={value} className="rating-option">
            <input
              type="radio"
              name={`${id}-rating`}
              value={value}
              checked={rating === value}
              onChange={() => setRating(value)}
            />
            <span>{value}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Comment (optional)</span>
        <textarea
          value={comment}
          rows={2}
          maxLength={2000}
          onChange={(event) => setComment(event.target.value)}
        />
      </label>
      <button type="submit" className={`button button-primary verdict-${verdict}`} disabled={busy}>
        {busy ? 'Sending…' : verdictLabels[verdict]}
      </button>
      {message && (
        <p
          className={message.error ? 'form-error' : 'form-success'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
    </form>
  );
}
