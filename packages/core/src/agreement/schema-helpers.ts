import { z } from 'zod';
import { parseDuration } from './duration.ts';

const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The ids of stages, detours, teams, activities, rules, reasons and personas: lowercase slugs. */
export const idSchema = z.string().regex(idPattern, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a valid id; expected lowercase letters, digits and dashes, like "demo-requested"`,
});

export const labelSchema = z.string().trim().min(1, { error: 'expected a non-empty label' });

/** A duration such as "90m", "24h", "3d" or "1h30m"; see parseDuration. */
export const durationSchema = z.string().refine((text) => parseDuration(text) !== undefined, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a duration; expected a number and a unit (m, h, d or w), like "90m", "24h", "3d" or "1h30m"`,
  params: { code: 'INVALID_DURATION' },
});

export const timezoneSchema = z.string().refine(isTimezone, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an IANA time zone; expected a name like "America/New_York", "Europe/Paris" or "UTC"`,
  params: { code: 'INVALID_TIMEZONE' },
});

export const isoDateSchema = z.string().refine(isIsoDate, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a date; expected YYYY-MM-DD, like "2027-12-25"`,
  params: { code: 'INVALID_DATE' },
});

export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a time of day; expected HH:MM, like "09:00" or "17:30"`,
});

/** Whole points; negative points are allowed (an unsubscribe, a personal e-mail address). */
export const pointsSchema = z.int();

export const capSchema = z.int().positive();

function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
