import { segmentEventTypes } from '../agreement/agreement-schema.ts';

/**
 * The Segment tracking spec's messages, validated and normalised: the first steps of the
 * ingestion pipeline (validate → normalise; identify and classify follow). A message that
 * cannot be stored is dropped with a reason from a closed list and the rest of its batch is kept.
 */
export const dropReasons = [
  /** Not a JSON object. */
  'not-an-object',
  /** `type` missing or not one of identify, track, page, screen, group, alias. */
  'unknown-type',
  /** Neither `userId` nor `anonymousId` (alias: `userId` and `previousId`). */
  'missing-identity',
  /** A `track` without `event`, a `group` without `groupId`. */
  'missing-field',
  /** A field of the wrong type or length (`properties` not an object, an id over 256 characters…). */
  'invalid-field',
  /** A timestamp that is not an ISO 8601 date, or before 1990 / after 2200. */
  'invalid-timestamp',
  /** The message is larger than 32 KB as JSON. */
  'too-large',
] as const;
export type DropReason = (typeof dropReasons)[number];

export type SegmentType = (typeof segmentEventTypes)[number];

type JsonObject = Record<string, unknown>;

export type NormalizedMessage = {
  type: SegmentType;
  /** The client's id, or one derived from the content when the client sent none. */
  messageId: string;
  userId: string | undefined;
  anonymousId: string | undefined;
  /** From traits.email (identify), context.traits.email or properties.email, lowercased. */
  email: string | undefined;
  /** `track` event name, or the page/screen name. */
  event: string | undefined;
  /** The page path, for page calls (properties.path, context.page.path, or the url's path). */
  path: string | undefined;
  groupId: string | undefined;
  previousId: string | undefined;
  properties: JsonObject;
  traits: JsonObject;
  context: JsonObject;
  /** When it happened, corrected for the client's clock skew (see `resolveOccurredAt`). */
  occurredAt: Date;
  receivedAt: Date;
};

export type NormalizeResult =
  | { ok: true; message: NormalizedMessage }
  | { ok: false; reason: DropReason; detail: string; messageId: string | undefined };

export const maxMessageBytes = 32 * 1024;
/** Objects and arrays nested deeper than this are refused before anything walks them recursively. */
export const maxNestingDepth = 64;
const maxIdLength = 256;
const minTime = Date.UTC(1990, 0, 1);
const maxTime = Date.UTC(2200, 0, 1);
/** Differences between the client's and our clock below this are network delay, not skew. */
const skewToleranceMs = 1_000;
/** A corrected time further ahead of receipt than this is a broken clock; we use the receipt time. */
const futureToleranceMs = 60_000;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type NormalizeOptions = {
  receivedAt: Date;
  /** The batch's `sentAt`, when the message has none of its own. */
  batchSentAt?: unknown;
  /** Batch-level `context`, merged under the message's own. */
  batchContext?: unknown;
  /** The type implied by the endpoint (`/v1/track` → track); the message's own `type` may be absent. */
  impliedType?: SegmentType;
  /** Size of the message as received, in bytes (UTF-8 JSON), when the caller already knows it. */
  byteLength?: number;
};

export function normalizeSegmentMessage(raw: unknown, options: NormalizeOptions): NormalizeResult {
  if (!isObject(raw)) {
    return drop('not-an-object', `expected a JSON object, got ${describe(raw)}`, undefined);
  }
  if (nestingDepthExceeds(raw, maxNestingDepth)) {
    return drop(
      'invalid-field',
      `the message nests objects or arrays deeper than ${maxNestingDepth} levels`,
      undefined,
    );
  }
  const messageIdValue = raw.messageId;
  const clientMessageId =
    typeof messageIdValue === 'string' && messageIdValue.length > 0 ? messageIdValue : undefined;
  const bytes = options.byteLength ?? utf8Length(JSON.stringify(raw));
  if (bytes > maxMessageBytes) {
    return drop(
      'too-large',
      `the message is ${bytes} bytes; at most ${maxMessageBytes} are accepted`,
      clientMessageId,
    );
  }
  if (messageIdValue !== undefined && messageIdValue !== null && clientMessageId === undefined) {
    return drop('invalid-field', 'messageId must be a non-empty string', undefined);
  }
  if (clientMessageId && clientMessageId.length > maxIdLength) {
    return drop('invalid-field', `messageId is longer than ${maxIdLength} characters`, undefined);
  }

  const typeValue = raw.type ?? options.impliedType;
  if (typeof typeValue !== 'string' || !(segmentEventTypes as readonly string[]).includes(typeValue)) {
    return drop(
      'unknown-type',
      `type must be one of ${segmentEventTypes.join(', ')}; got ${describe(typeValue)}`,
      clientMessageId,
    );
  }
  const type = typeValue as SegmentType;

  const ids: Record<'userId' | 'anonymousId' | 'groupId' | 'previousId', string | undefined> = {
    userId: undefined,
    anonymousId: undefined,
    groupId: undefined,
    previousId: undefined,
  };
  for (const field of ['userId', 'anonymousId', 'groupId', 'previousId'] as const) {
    const value = raw[field];
    if (value === undefined || value === null || value === '') continue;
    // Segment clients send numeric ids as numbers; they are the same id as its decimal text.
    if (typeof value === 'number' && Number.isFinite(value)) {
      ids[field] = String(value);
    } else if (typeof value === 'string') {
      ids[field] = value.trim() || undefined;
    } else {
      return drop('invalid-field', `${field} must be a string or a number`, clientMessageId);
    }
    if ((ids[field]?.length ?? 0) > maxIdLength) {
      return drop('invalid-field', `${field} is longer than ${maxIdLength} characters`, clientMessageId);
    }
  }

  if (type === 'alias') {
    if (!ids.userId || !ids.previousId) {
      return drop('missing-identity', 'an alias needs both userId and previousId', clientMessageId);
    }
  } else if (!ids.userId && !ids.anonymousId) {
    return drop('missing-identity', 'userId or anonymousId is required', clientMessageId);
  }

  const objects: Record<'properties' | 'traits' | 'context', JsonObject> = {
    properties: {},
    traits: {},
    context: {},
  };
  for (const field of ['properties', 'traits', 'context'] as const) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) return drop('invalid-field', `${field} must be an object`, clientMessageId);
    objects[field] = withoutPrototypeKeys(value);
  }
  if (isObject(options.batchContext)) {
    objects.context = { ...withoutPrototypeKeys(options.batchContext), ...objects.context };
  }

  let event: string | undefined;
  if (type === 'track') {
    if (typeof raw.event !== 'string' || raw.event.trim() === '') {
      return drop('missing-field', 'a track call needs an event name', clientMessageId);
    }
    event = raw.event.trim();
  } else if (type === 'page' || type === 'screen') {
    const name = raw.name ?? objects.properties.name;
    event = typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
  }
  if (event && event.length > 200) {
    return drop('invalid-field', 'the event name is longer than 200 characters', clientMessageId);
  }
  if (type === 'group' && !ids.groupId) {
    return drop('missing-field', 'a group call needs a groupId', clientMessageId);
  }

  const timing = resolveOccurredAt(raw, options);
  if (!timing.ok) return drop('invalid-timestamp', timing.detail, clientMessageId);

  const contextTraits = isObject(objects.context.traits) ? objects.context.traits : {};
  const email = [objects.traits.email, contextTraits.email, objects.properties.email]
    .map(normalizeEmail)
    .find((value) => value !== undefined);

  const message: NormalizedMessage = {
    type,
    messageId: clientMessageId ?? '',
    userId: ids.userId,
    anonymousId: ids.anonymousId,
    email,
    event,
    path: type === 'page' ? pagePath(objects.properties, objects.context) : undefined,
    groupId: ids.groupId,
    previousId: ids.previousId,
    properties: objects.properties,
    traits: objects.traits,
    context: objects.context,
    occurredAt: timing.occurredAt,
    receivedAt: options.receivedAt,
  };
  message.messageId = clientMessageId ?? deriveMessageId(message, raw.originalTimestamp ?? raw.timestamp);
  return { ok: true, message };
}

/**
 * When a message happened. The spec's clock-skew correction: a client stamps `timestamp` (or
 * `originalTimestamp`) and `sentAt` with its own clock, so the time between them is exact even
 * when the clock is wrong, and `receivedAt − (sentAt − timestamp)` is the time on our clock.
 * Without `sentAt` the timestamp is taken as it is (historical imports); without any, receipt.
 */
function resolveOccurredAt(
  raw: JsonObject,
  options: NormalizeOptions,
): { ok: true; occurredAt: Date } | { ok: false; detail: string } {
  const stamped = raw.originalTimestamp ?? raw.timestamp;
  if (stamped === undefined || stamped === null) return { ok: true, occurredAt: options.receivedAt };
  const clientTime = parseInstant(stamped);
  if (clientTime === undefined) {
    return {
      ok: false,
      detail: `timestamp ${describe(stamped)} is not an ISO 8601 date-time between 1990 and 2200`,
    };
  }
  let occurred = clientTime;
  const sentValue = raw.sentAt ?? options.batchSentAt;
  const sentAt = sentValue === undefined || sentValue === null ? undefined : parseInstant(sentValue);
  if (sentValue !== undefined && sentValue !== null && sentAt === undefined) {
    return {
      ok: false,
      detail: `sentAt ${describe(sentValue)} is not an ISO 8601 date-time between 1990 and 2200`,
    };
  }
  if (sentAt !== undefined) {
    const skew = options.receivedAt.getTime() - sentAt;
    if (Math.abs(skew) > skewToleranceMs) occurred = clientTime + skew;
  }
  if (occurred > options.receivedAt.getTime() + futureToleranceMs) occurred = options.receivedAt.getTime();
  if (occurred < minTime) return { ok: false, detail: 'the corrected timestamp is before 1990' };
  return { ok: true, occurredAt: new Date(occurred) };
}

const isoInstant = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseInstant(value: unknown): number | undefined {
  if (value instanceof Date) return inRange(value.getTime());
  if (typeof value !== 'string' || !isoInstant.test(value.trim())) return undefined;
  return inRange(Date.parse(value.trim()));
}

function inRange(time: number): number | undefined {
  return Number.isFinite(time) && time >= minTime && time < maxTime ? time : undefined;
}

function normalizeEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 320 ? email : undefined;
}

function pagePath(properties: JsonObject, context: JsonObject): string | undefined {
  const page = isObject(context.page) ? context.page : {};
  for (const candidate of [properties.path, page.path]) {
    if (typeof candidate === 'string' && candidate.startsWith('/')) return candidate.split(/[?#]/)[0];
  }
  for (const candidate of [properties.url, page.url]) {
    if (typeof candidate !== 'string') continue;
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(candidate);
    if (match) return match[1] ?? '/';
  }
  return undefined;
}

/** Whether a JSON value nests deeper than `limit`, checked without recursion (no stack to overflow). */
export function nestingDepthExceeds(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= limit) return true;
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

/** Keys that would pollute an object's prototype when copied naively are removed, recursively. */
function withoutPrototypeKeys(value: JsonObject): JsonObject {
  const clean: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    clean[key] = isObject(inner) ? withoutPrototypeKeys(inner) : inner;
  }
  return clean;
}

/**
 * A stable id for a message sent without one, from what identifies it, so a retried delivery
 * of the same message is still recognised.
 */
function deriveMessageId(message: NormalizedMessage, clientTimestamp: unknown): string {
  const basis = JSON.stringify([
    message.type,
    message.userId,
    message.anonymousId,
    message.event,
    message.groupId,
    message.previousId,
    clientTimestamp ?? message.occurredAt.toISOString(),
    message.properties,
    message.traits,
  ]);
  return `derived-${fnv1a64(basis)}`;
}

function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index++) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function drop(reason: DropReason, detail: string, messageId: string | undefined): NormalizeResult {
  return { ok: false, reason, detail, messageId };
}
