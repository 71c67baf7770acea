import type { Agreement, ContactRef, FeedbackKind, RecordOutcome } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Repositories } from '../../repositories/index.ts';

/**
 * The checks every fact passes before it is stored, shared by the record-* use cases. A check
 * answers a rejection (code and message naming the field) or nothing; the use case collects the
 * rejections by record index and stores the rest of the call.
 */
export const factRejectCodes = [
  /** `contactId` names no contact of this workspace. */
  'NOT_FOUND',
  /** The reference names no one: no contactId, email, userId, anonymousId nor crmId. */
  'MISSING_CONTACT',
  /** A malformed or out-of-list value (kind, verdict, e-mail, trait, length). */
  'INVALID_FIELD',
  /** An instant that is not a time, before 1990, or more than a minute in the future. */
  'INVALID_TIME',
  'INVALID_DATE',
  'INVALID_AMOUNT',
  'INVALID_CURRENCY',
  'INVALID_RATING',
  'UNKNOWN_REP',
  'UNKNOWN_REASON',
  'REASON_REQUIRED',
  'UNKNOWN_STAGE',
] as const;
type FactRejectCode = (typeof factRejectCodes)[number];

export type Rejection = { code: FactRejectCode; message: string };
export type Rejected = RecordOutcome['rejected'][number];

const earliest = Date.UTC(1990, 0, 1);
const allowedSkewMs = 60_000;
const maxTextLength = 1_000;
const maxCommentLength = 10_000;

/** The workspace's current agreement and its version number. */
export async function loadAgreement(
  repos: Pick<Repositories, 'agreementVersions'>,
  workspaceId: string,
): Promise<{ agreement: Agreement; version: number }> {
  const row = await repos.agreementVersions.findLatest(workspaceId);
  if (!row) {
    throw new AppError('CONFLICT', {
      message: 'No agreement has been applied to this workspace yet; facts are checked against it.',
    });
  }
  return { agreement: row.parsed as Agreement, version: row.version };
}

/** An instant of the past (from 1990 on), allowing the sender's clock to be a minute ahead of ours. */
export function checkInstant(field: string, value: Date, now: Date): Rejection | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    return {
      code: 'INVALID_TIME',
      message: `${field} is not a valid time; send ISO 8601 with a time zone, like 2027-03-01T14:30:00Z.`,
    };
  }
  if (value.getTime() < earliest) {
    return { code: 'INVALID_TIME', message: `${field} ${value.toISOString()} is before 1990.` };
  }
  if (value.getTime() > now.getTime() + allowedSkewMs) {
    return {
      code: 'INVALID_TIME',
      message: `${field} ${value.toISOString()} is in the future (server time ${now.toISOString()}); check the sender's clock.`,
    };
  }
  return undefined;
}

/** A calendar date `YYYY-MM-DD` that exists (no 30 February). */
export function checkDate(field: string, value: string): Rejection | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value || date.getTime() < earliest) {
    return {
      code: 'INVALID_DATE',
      message: `${field} ${JSON.stringify(value)} is not a calendar date from 1990 on; expected YYYY-MM-DD.`,
    };
  }
  return undefined;
}

/** A non-negative decimal with at most 2 fractional digits that fits numeric(18, 2). */
export function checkAmount(field: string, value: string): Rejection | undefined {
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(value)) {
    return {
      code: 'INVALID_AMOUNT',
      message: `${field} ${JSON.stringify(value)} is not an amount; expected a non-negative decimal with at most 2 fractional digits, like "12500.00".`,
    };
  }
  return undefined;
}

export function normalizeCurrency(value: string): string {
  return value.trim().toUpperCase();
}

export function checkCurrency(field: string, value: string): Rejection | undefined {
  if (!/^[A-Z]{3}$/.test(value)) {
    return {
      code: 'INVALID_CURRENCY',
      message: `${field} ${JSON.stringify(value)} is not a currency; expected an ISO 4217 code like "USD" or "EUR".`,
    };
  }
  return undefined;
}

/** Required text of 1 to `max` characters. */
export function checkText(field: string, value: unknown, max = maxTextLength): Rejection | undefined {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    return { code: 'INVALID_FIELD', message: `${field} must be text of 1 to ${max} characters.` };
  }
  return undefined;
}

/** Optional text of at most `max` characters. */
export function checkOptionalText(field: string, value: unknown, max = maxTextLength): Rejection | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    return { code: 'INVALID_FIELD', message: `${field} must be text of at most ${max} characters.` };
  }
  return undefined;
}

export function checkComment(value: unknown): Rejection | undefined {
  return checkOptionalText('comment', value, maxCommentLength);
}

/** The reps of the agreement's sales teams, to check `repId`. */
export function salesRepIds(agreement: Agreement): string[] {
  return agreement.teams
    .filter((team) => team.kind === 'sales')
    .flatMap((team) => team.reps.map((rep) => rep.id));
}

export function checkRep(field: string, repId: unknown, reps: readonly string[]): Rejection | undefined {
  const invalid = checkText(field, repId, 200);
  if (invalid) return invalid;
  if (reps.includes(repId as string)) return undefined;
  return {
    code: 'UNKNOWN_REP',
    message: `${field} ${JSON.stringify(repId)} is not a rep of a sales team in the agreement; known reps: ${listSome(reps)}.`,
  };
}

/** Checks a feedback reason against the agreement's list for its verdict. */
export function checkFeedbackReason(
  agreement: Agreement,
  verdict: FeedbackKind,
  reason: string | undefined,
): Rejection | undefined {
  if (verdict === 'accept') {
    if (reason === undefined) return undefined;
    return {
      code: 'UNKNOWN_REASON',
      message: 'reason is for reject and recycle only; an accept takes no reason (use comment for notes).',
    };
  }
  const reasons = (
    verdict === 'reject' ? agreement.feedback.rejectReasons : agreement.feedback.recycleReasons
  ).map((item) => item.id);
  if (reason === undefined) {
    const required = agreement.detours.some((detour) => detour.reasons === verdict && detour.reasonRequired);
    return required
      ? {
          code: 'REASON_REQUIRED',
          message: `A ${verdict} needs a reason from the agreement: ${listSome(reasons, reasons.length)}.`,
        }
      : undefined;
  }
  if (reasons.includes(reason)) return undefined;
  return {
    code: 'UNKNOWN_REASON',
    message:
      reasons.length === 0
        ? `reason ${JSON.stringify(reason)}: the agreement lists no ${verdict} reasons.`
        : `reason ${JSON.stringify(reason)} is not a ${verdict} reason of the agreement; valid: ${listSome(reasons, reasons.length)}.`,
  };
}

export function checkRating(rating: unknown): Rejection | undefined {
  if (rating === undefined || rating === null) return undefined;
  if (typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5) return undefined;
  return {
    code: 'INVALID_RATING',
    message: `rating ${JSON.stringify(rating)} is not a whole number from 1 to 5.`,
  };
}

/** Stage and detour ids of the agreement, in document order. */
export function stageIds(agreement: Agreement): string[] {
  return [...agreement.stages.map((stage) => stage.id), ...agreement.detours.map((detour) => detour.id)];
}

/**
 * The reference's own shape: at least one field, strings of sane length, an e-mail with an @.
 * Whether a `contactId` exists is checked later, against the workspace.
 */
export function checkRef(ref: ContactRef | undefined): Rejection | undefined {
  if (!ref || typeof ref !== 'object') {
    return { code: 'MISSING_CONTACT', message: 'contact is missing.' };
  }
  for (const field of ['contactId', 'email', 'userId', 'anonymousId', 'crmId'] as const) {
    const invalid = checkOptionalText(`contact.${field}`, ref[field], 500);
    if (invalid) return invalid;
  }
  const named = [ref.contactId, ref.email, ref.userId, ref.anonymousId, ref.crmId].some(
    (value) => typeof value === 'string' && value.trim().length > 0,
  );
  if (!named) {
    return {
      code: 'MISSING_CONTACT',
      message: 'contact names no one; give contactId, email, userId, anonymousId or crmId.',
    };
  }
  if (ref.email?.trim() && !/^[^\s@]+@[^\s@]+$/.test(ref.email.trim())) {
    return {
      code: 'INVALID_FIELD',
      message: `contact.email ${JSON.stringify(ref.email)} is not an e-mail address.`,
    };
  }
  return undefined;
}

/** Traits: names of 1 to 200 characters, values text, numbers, booleans or null (which clears). */
export function checkTraits(field: string, traits: unknown): Rejection | undefined {
  if (traits === undefined) return undefined;
  if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) {
    return { code: 'INVALID_FIELD', message: `${field} must be an object of trait names to values.` };
  }
  for (const [name, value] of Object.entries(traits)) {
    if (name.length === 0 || name.length > 200) {
      return {
        code: 'INVALID_FIELD',
        message: `${field} has a trait name that is empty or longer than 200 characters.`,
      };
    }
    const scalar =
      value === null ||
      value === undefined ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= maxCommentLength);
    if (!scalar) {
      return {
        code: 'INVALID_FIELD',
        message: `${field}.${name} must be text (at most ${maxCommentLength} characters), a number, a boolean or null.`,
      };
    }
  }
  return undefined;
}

/** Splits a call's records into the ones that pass `check` and the rejected ones, by index. */
export function partitionRecords<T>(
  records: readonly T[],
  check: (record: T) => Rejection | undefined,
): { accepted: { index: number; record: T }[]; rejected: Rejected[] } {
  const accepted: { index: number; record: T }[] = [];
  const rejected: Rejected[] = [];
  records.forEach((record, index) => {
    const rejection = check(record);
    if (rejection) rejected.push({ index, ...rejection });
    else accepted.push({ index, record });
  });
  return { accepted, rejected };
}

/** A value of a closed list (a kind, a verdict); when it is not, `message` says what was expected. */
export function checkListed(
  value: string,
  list: readonly string[],
  message: () => string,
): Rejection | undefined {
  return list.includes(value) ? undefined : { code: 'INVALID_FIELD', message: message() };
}

/** The first of several checks that fails. */
export function firstRejection(...checks: (() => Rejection | undefined)[]): Rejection | undefined {
  for (const check of checks) {
    const rejection = check();
    if (rejection) return rejection;
  }
  return undefined;
}

/** A few items of a list for a message: `a, b, c and 4 more`. */
export function listSome(items: readonly string[], limit = 5): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}
