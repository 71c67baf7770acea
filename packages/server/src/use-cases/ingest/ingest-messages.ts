import {
  type dropReasons,
  type NormalizeOptions,
  normalizeSegmentMessage,
  type SegmentType,
} from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import type { IngestDrop } from '../../ingest/store-submissions.ts';

export type IngestOutcome = {
  /** Stored now. */
  accepted: number;
  /** Stored before (a retry) or repeated within this call: nothing new stored. */
  duplicates: number;
  dropped: {
    index: number;
    messageId?: string | undefined;
    reason: (typeof dropReasons)[number];
    detail: string;
  }[];
};

const excerptBytes = 2_048;

/**
 * Runs Segment-spec messages through the pipeline (validate → normalise, then identify and
 * classify in the writer) and answers once the accepted ones are durably stored. A bad message
 * is dropped with its reason; the rest of the call is kept.
 */
export async function ingestMessages(
  options: {
    workspaceId: string;
    messages: unknown[];
    receivedAt?: Date;
    batchSentAt?: unknown;
    batchContext?: unknown;
    impliedType?: SegmentType;
    /** Each message's size in bytes as received, when known (else measured). */
    sizes?: (number | undefined)[];
  },
  deps: Pick<Deps, 'clock' | 'ingest'>,
): Promise<IngestOutcome> {
  const receivedAt = options.receivedAt ?? deps.clock();
  const normalizeOptions: NormalizeOptions = {
    receivedAt,
    batchSentAt: options.batchSentAt,
    batchContext: options.batchContext,
    ...(options.impliedType ? { impliedType: options.impliedType } : {}),
  };
  const accepted = [];
  const dropped: IngestOutcome['dropped'] = [];
  const drops: IngestDrop[] = [];
  for (const [index, raw] of options.messages.entries()) {
    const size = options.sizes?.[index];
    const result = normalizeSegmentMessage(
      raw,
      size === undefined ? normalizeOptions : { ...normalizeOptions, byteLength: size },
    );
    if (result.ok) {
      accepted.push(result.message);
      continue;
    }
    dropped.push({ index, messageId: result.messageId, reason: result.reason, detail: result.detail });
    drops.push({
      reason: result.reason,
      detail: result.detail,
      messageId: result.messageId,
      excerpt: excerptOf(raw),
    });
  }

  const { stored } = await deps.ingest.submit({
    workspaceId: options.workspaceId,
    messages: accepted,
    drops,
  });
  const storedCount = stored.filter(Boolean).length;
  return { accepted: storedCount, duplicates: stored.length - storedCount, dropped };
}

function excerptOf(raw: unknown): string | undefined {
  try {
    const text = JSON.stringify(raw);
    if (text === undefined) return undefined;
    return text.length > excerptBytes ? `${text.slice(0, excerptBytes)}…` : text;
  } catch {
    return undefined;
  }
}
