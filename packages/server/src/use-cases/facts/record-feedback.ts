import { type FeedbackRecord, feedbackKinds, type RecordOutcome } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import {
  checkComment,
  checkFeedbackReason,
  checkInstant,
  checkOptionalText,
  checkRating,
  checkRef,
  checkRep,
  checkText,
  firstRejection,
  loadAgreement,
  partitionRecords,
  salesRepIds,
} from './fact-checks.ts';
import { attachContacts } from './resolve-refs.ts';

/**
 * Stores a rep's verdicts on leads: accept, reject or recycle, with a reason from the agreement's
 * list for that verdict (required when the agreement's detour says so), an optional 1–5 quality
 * rating and a comment. Bad records come back with the reason; the rest of the call is stored.
 */
export async function recordFeedback(
  options: { workspaceId: string; records: FeedbackRecord[] },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<RecordOutcome> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const { agreement } = await loadAgreement(repos, options.workspaceId);
    const reps = salesRepIds(agreement);

    const checked = partitionRecords(options.records, (record) =>
      firstRejection(
        () => checkRef(record.ref),
        () => checkRep('repId', record.repId, reps),
        () =>
          (feedbackKinds as readonly string[]).includes(record.verdict)
            ? undefined
            : {
                code: 'INVALID_FIELD',
                message: `verdict ${JSON.stringify(record.verdict)} is not one of ${feedbackKinds.join(', ')}.`,
              },
        () => checkOptionalText('reason', record.reason, 200),
        () => checkFeedbackReason(agreement, record.verdict, record.reason ?? undefined),
        () => checkRating(record.rating),
        () => checkComment(record.comment),
        () => checkInstant('occurredAt', record.occurredAt, now),
        () => checkOptionalText('externalId', record.externalId, 500),
        () => checkText('source', record.source, 100),
      ),
    );
    const { resolved, rejected } = await attachContacts(repos, options.workspaceId, checked.accepted, now);

    const recordedAt = now.toISOString();
    const created = await repos.contactWrites.insertFeedback(
      options.workspaceId,
      resolved.map(({ record, contactId }) => ({
        contactId,
        id: createUuidV7(record.occurredAt),
        repId: record.repId,
        verdict: record.verdict,
        reason: record.reason ?? null,
        rating: record.rating ?? null,
        comment: record.comment ?? null,
        occurredAt: record.occurredAt.toISOString(),
        recordedAt,
        source: record.source.trim(),
        externalId: record.externalId ?? null,
      })),
    );
    return {
      created,
      duplicates: resolved.length - created,
      rejected: [...checked.rejected, ...rejected].sort((a, b) => a.index - b.index),
    };
  });
}
