import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  dropReasons,
  hasPermission,
  maxNestingDepth,
  nestingDepthExceeds,
  rolesWith,
  type SegmentType,
} from '@smarketing/core';
import type { Context } from 'hono';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { authenticateApiKey } from '../../use-cases/api-keys/authenticate-api-key.ts';
import { ingestMessages } from '../../use-cases/ingest/ingest-messages.ts';
import type { AppEnv } from '../app-env.ts';
import { readToken } from '../auth.ts';
import { authErrors, invalid } from './common.ts';

/** The Segment HTTP tracking API's limits: 32 KB per call, 500 KB per batch. */
const maxCallBytes = 32 * 1024;
const maxBatchBytes = 500 * 1024;

const decompressors: Record<
  string,
  (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>
> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

const outcomeSchema = z
  .object({
    success: z.literal(true),
    accepted: z.number().int().openapi({ description: 'Messages stored by this call.' }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: 'Messages already stored (a retry): nothing new stored.' }),
    dropped: z.array(
      z.object({
        index: z.number().int(),
        messageId: z.string().optional(),
        reason: z.enum(dropReasons),
        detail: z.string(),
      }),
    ),
  })
  .openapi('IngestOutcome');

const calls: { path: string; type: SegmentType | undefined; summary: string }[] = [
  { path: '/v1/identify', type: 'identify', summary: 'Who a user is, with traits.' },
  { path: '/v1/track', type: 'track', summary: 'An action a user performed.' },
  { path: '/v1/page', type: 'page', summary: 'A page view.' },
  { path: '/v1/screen', type: 'screen', summary: 'A mobile screen view.' },
  { path: '/v1/group', type: 'group', summary: 'Associate a user with a company (account).' },
  { path: '/v1/alias', type: 'alias', summary: 'Merge a previous id into a user id.' },
  {
    path: '/v1/batch',
    type: undefined,
    summary: 'Up to 500 KB of messages of any type: `{ "batch": [...] }`.',
  },
  { path: '/v1/import', type: undefined, summary: 'The same as /v1/batch (historical imports).' },
];

/**
 * The Segment tracking API. Authenticated by write key: HTTP Basic with the key as user name
 * (what Segment clients send), a Bearer token, or `writeKey` in the body. Bodies may be
 * gzip-, deflate- or brotli-compressed; any content type is read as JSON (browsers' beacons
 * send text/plain). Answers only after the accepted messages are durably stored.
 */
export function segmentRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'log' | 'ingest'>) {
  const app = new OpenAPIHono<AppEnv>();
  for (const call of calls) {
    const route = createRoute({
      method: 'post',
      path: call.path,
      tags: ['tracking (Segment spec)'],
      summary: call.summary,
      security: [{ writeKey: [] }, { bearer: [] }],
      responses: {
        200: {
          description: 'Stored (or de-duplicated); dropped messages listed with reasons.',
          content: { 'application/json': { schema: outcomeSchema } },
        },
        ...invalid,
        ...authErrors,
        413: { description: 'Larger than 32 KB per call or 500 KB per batch.' },
        503: { description: 'Cannot store right now; retry after Retry-After seconds.' },
      },
    });
    app.openapi(route, async (c) => c.json(await receive(c, deps, call.type), 200));
  }
  return app;
}

async function receive(
  c: Context<AppEnv>,
  deps: Pick<Deps, 'repos' | 'clock' | 'log' | 'ingest'>,
  type: SegmentType | undefined,
) {
  const receivedAt = deps.clock();
  const limit = type === undefined ? maxBatchBytes : maxCallBytes;
  const { body, bytes: bodyBytes } = await readJsonBody(c, limit);

  const token =
    readToken(c.req.header('authorization')) ??
    (typeof body.writeKey === 'string' ? body.writeKey : undefined);
  if (!token) {
    throw new AppError('UNAUTHORIZED', {
      message: 'Send the write key as HTTP Basic user name, as a Bearer token, or as "writeKey" in the body.',
    });
  }
  const principal = await authenticateApiKey({ token }, deps);
  c.set('principal', principal);
  if (!hasPermission(principal.role, 'events:ingest')) {
    throw new AppError('FORBIDDEN', {
      message: `The role "${principal.role}" may not send events.`,
      details: {
        permission: 'events:ingest',
        role: principal.role,
        allowedRoles: rolesWith('events:ingest'),
      },
    });
  }

  let messages: unknown[];
  if (type === undefined) {
    if (!Array.isArray(body.batch)) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'A batch body needs "batch": an array of messages.',
      });
    }
    messages = body.batch;
  } else {
    const { writeKey: _writeKey, ...message } = body;
    messages = [message];
  }
  return {
    success: true as const,
    ...(await ingestMessages(
      {
        workspaceId: principal.workspaceId,
        messages,
        receivedAt,
        batchSentAt: type === undefined ? body.sentAt : undefined,
        batchContext: type === undefined ? body.context : undefined,
        ...(type ? { impliedType: type } : {}),
        // No message is larger than the body: a body within the per-message limit needs no
        // message measured on its own.
        sizes: messages.map((message) => (bodyBytes <= maxCallBytes ? bodyBytes : sizeOf(message))),
      },
      deps,
    )),
  };
}

async function readJsonBody(
  c: Context<AppEnv>,
  limit: number,
): Promise<{ body: Record<string, unknown>; bytes: number }> {
  const declared = Number(c.req.header('content-length'));
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' && Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  let bytes = await readAtMost(c.req.raw.body, limit);
  if (encoding !== 'identity') {
    const decompress = decompressors[encoding];
    if (!decompress) {
      throw new AppError('VALIDATION_FAILED', {
        message: `Content-Encoding "${encoding}" is not supported; use gzip, deflate, br or none.`,
      });
    }
    try {
      bytes = await decompress(bytes, { maxOutputLength: limit + 1 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
      throw new AppError('VALIDATION_FAILED', { message: `The body is not valid ${encoding} data.` });
    }
  }
  if (bytes.length > limit) throw tooLarge(limit);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('VALIDATION_FAILED', { message: 'The body is not valid UTF-8.' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', {
      message: `The body is not valid JSON: ${(error as Error).message}`,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('VALIDATION_FAILED', { message: 'The body must be a JSON object.' });
  }
  return { body: parsed as Record<string, unknown>, bytes: bytes.length };
}

/** A message's size as JSON, or undefined when it nests too deep to serialise (the pipeline drops it). */
function sizeOf(message: unknown): number | undefined {
  if (nestingDepthExceeds(message, maxNestingDepth)) return undefined;
  return Buffer.byteLength(JSON.stringify(message) ?? '', 'utf8');
}

/** Reads a body, refusing it as soon as it passes the limit (a chunked upload has no length to check first). */
async function readAtMost(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', {
    message: `The body is larger than ${limit / 1024} KB, the limit of this endpoint.`,
    details: { maxBytes: limit },
  });
}
