import { type Agreement, parseReportInstant } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { type AnnouncementKind, announcementKinds } from '../../db/schema.ts';
import type { AnnouncementRow } from '../../repositories/announcement.repository.ts';
import type { Repositories } from '../../repositories/index.ts';

export { announcementKinds };

export const announcementLimits = { title: 200, body: 10_000, link: 2048 } as const;

/** An announcement as the API answers it (instants as Date; routes write ISO text). */
export type Announcement = {
  id: string;
  kind: AnnouncementKind;
  title: string;
  body: string;
  link: string | null;
  effectiveAt: Date;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  withdrawnAt: Date | null;
};

/** What a caller may set; every field optional on edit. */
export type AnnouncementInput = {
  kind?: string;
  title?: string;
  body?: string;
  link?: string | null;
  /** `YYYY-MM-DD` (local midnight in the agreement's time zone) or an ISO timestamp with a zone. */
  effectiveAt?: string;
};

export function toAnnouncement(row: AnnouncementRow): Announcement {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    effectiveAt: row.effectiveAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    withdrawnAt: row.withdrawnAt,
  };
}

/** The time zone dates are named in: the agreement's, UTC before one is applied. */
export async function workspaceTimezone(repos: Pick<Repositories, 'agreementVersions'>, workspaceId: string) {
  const latest = await repos.agreementVersions.findLatest(workspaceId);
  return latest === undefined ? 'UTC' : (latest.parsed as Agreement).timezone;
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `${field}: ${message}`, details: { field } });
}

/** `YYYY-MM-DD` or an ISO timestamp, as an instant; VALIDATION_FAILED naming the field otherwise. */
export function parseDateField(field: string, text: string, timezone: string): Date {
  const at = parseReportInstant(text, timezone);
  if (at === undefined || /^\d{4}-\d{2}$/.test(text.trim())) {
    throw invalid(
      field,
      `${JSON.stringify(text)} is not a date; expected YYYY-MM-DD or an ISO timestamp with a zone, like 2027-03-01T09:00:00Z`,
    );
  }
  return at;
}

/**
 * Checks and normalises the fields given: a kind from the list, a non-empty title of at most 200
 * characters, a body of at most 10 000, a link that is an absolute http(s) URL (or null to clear),
 * and an effective date. Fields not given stay undefined.
 */
export function checkAnnouncementInput(
  input: AnnouncementInput,
  timezone: string,
): Partial<Pick<AnnouncementRow, 'kind' | 'title' | 'body' | 'link' | 'effectiveAt'>> {
  const checked: Partial<Pick<AnnouncementRow, 'kind' | 'title' | 'body' | 'link' | 'effectiveAt'>> = {};
  if (input.kind !== undefined) {
    if (!(announcementKinds as readonly string[]).includes(input.kind)) {
      throw invalid(
        'kind',
        `"${input.kind}" is not a kind of announcement; expected one of ${announcementKinds.join(', ')}`,
      );
    }
    checked.kind = input.kind as AnnouncementKind;
  }
  if (input.title !== undefined) {
    const title = input.title.trim();
    if (title === '') throw invalid('title', 'a title is required');
    if (title.length > announcementLimits.title) {
      throw invalid('title', `at most ${announcementLimits.title} characters, got ${title.length}`);
    }
    checked.title = title;
  }
  if (input.body !== undefined) {
    if (input.body.length > announcementLimits.body) {
      throw invalid('body', `at most ${announcementLimits.body} characters, got ${input.body.length}`);
    }
    checked.body = input.body;
  }
  if (input.link !== undefined) checked.link = input.link === null ? null : checkLink(input.link);
  if (input.effectiveAt !== undefined)
    checked.effectiveAt = parseDateField('effectiveAt', input.effectiveAt, timezone);
  return checked;
}

function checkLink(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (trimmed.length > announcementLimits.link) {
    throw invalid('link', `at most ${announcementLimits.link} characters, got ${trimmed.length}`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(
      'link',
      `${JSON.stringify(trimmed)} is not an absolute URL; expected one starting with https://`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('link', `only http and https links are allowed, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username !== '' || url.password !== '')
    throw invalid('link', 'a link must not carry a user name or password');
  return url.toString();
}
