import { useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import {
  type Announcement,
  type AnnouncementKind,
  announcementKinds,
} from '../../api/collaboration-types.ts';
import { kindLabel } from '../../components/announcements/announcement-item.tsx';
import { FormField } from '../../components/collaboration/form-field.tsx';

type Field = 'kind' | 'title' | 'body' | 'link' | 'effectiveAt';
type Errors = Partial<Record<Field | 'form', string>>;

function localDate(iso: string | undefined): string {
  const at = iso ? new Date(iso) : new Date();
  const offset = at.getTimezoneOffset() * 60_000;
  return new Date(at.getTime() - offset).toISOString().slice(0, 10);
}

function errorsOf(error: unknown): Errors {
  if (!(error instanceof ApiError)) return { form: error instanceof Error ? error.message : String(error) };
  const details = error.details as
    | { field?: string; issues?: { path: string[]; message: string }[] }
    | undefined;
  const fields: Field[] = ['kind', 'title', 'body', 'link', 'effectiveAt'];
  if (details?.field && fields.includes(details.field as Field)) return { [details.field]: error.message };
  if (details?.issues) {
    const errors: Errors = {};
    for (const issue of details.issues) {
      const field = fields.find((candidate) => issue.path.includes(candidate));
      if (field) errors[field] = issue.message;
      else errors.form = issue.message;
    }
    return errors;
  }
  return { form: error.message };
}

/** Publishes an announcement or edits one. */
export function AnnouncementForm({
  announcement,
  onSaved,
  onCancel,
}: {
  announcement?: Announcement;
  onSaved(saved: Announcement): void;
  onCancel(): void;
}) {
  const idPrefix = `announcement-${announcement?.id ?? 'new'}`;
  const [kind, setKind] = useState<AnnouncementKind>(announcement?.kind ?? 'product');
  const [title, setTitle] = useState(announcement?.title ?? '');
  const [body, setBody] = useState(announcement?.body ?? '');
  const [link, setLink] = useState(announcement?.link ?? '');
  const [effective, setEffective] = useState(localDate(announcement?.effectiveAt));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const local: Errors = {};
    if (!title.trim()) local.title = 'An announcement needs a title.';
    if (link.trim() && !/^https?:\/\/\S+$/i.test(link.trim()))
      local.link = 'A link starts with https:// or http://.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(effective)) local.effectiveAt = 'Choose the day it takes effect.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const fields = {
      kind,
      title: title.trim(),
      body: body.trim(),
      link: link.trim() || null,
      effectiveAt: effective,
    };
    setBusy(true);
    try {
      const saved = announcement
        ? await api.patch<Announcement>(
            `/api/v1/announcements/${encodeURIComponent(announcement.id)}`,
            fields,
          )
        : await api.post<Announcement>('/api/v1/announcements', fields);
      onSaved(saved);
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="announcement-form"
      aria-label={announcement ? `Edit ${announcement.title}` : 'New announcement'}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="announcement-form-grid">
        <FormField id={`${idPrefix}-kind`} label="Kind" error={errors.kind}>
          {(control) => (
            <select
              {...control}
              value={kind}
              onChange={(event) => setKind(event.target.value as AnnouncementKind)}
            >
              {announcementKinds.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {kindLabel(candidate)}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <FormField id={`${idPrefix}-title`} label="Title" error={errors.title}>
          {(control) => (
            <input
              {...control}
              value={title}
              maxLength={200}
              onChange={(event) => setTitle(event.target.value)}
            />
          )}
        </FormField>
        <FormField id={`${idPrefix}-effective`} label="Takes effect" error={errors.effectiveAt}>
          {(control) => (
            <input
              {...control}
              type="date"
              value={effective}
              onChange={(event) => setEffective(event.target.value)}
            />
          )}
        </FormField>
      </div>
      <FormField id={`${idPrefix}-body`} label="What both teams should know" error={errors.body}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={body}
            maxLength={10_000}
            onChange={(event) => setBody(event.target.value)}
          />
        )}
      </FormField>
      <FormField id={`${idPrefix}-link`} label="Link (optional)" error={errors.link}>
        {(control) => (
          <input
            {...control}
            type="url"
            value={link}
            placeholder="https://"
            onChange={(event) => setLink(event.target.value)}
          />
        )}
      </FormField>
      <div className="dialog-actions">
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : announcement ? 'Save changes' : 'Publish'}
        </button>
      </div>
    </form>
  );
}
