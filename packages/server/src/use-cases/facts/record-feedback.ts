import { type FeedbackRecord, feedbackKinds, type RecordOutcome } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import {
  checkComment,
  checkFeedbackReason,
  checkInstant,
  checkListed,
  checkOptionalText,
  checkRating,
  checkRep,
  firstRejection,
  salesRepIds,
} from './fact-checks.ts';
import { factEventColumns, recordFactEvents } from './record-facts.ts';

/**
 * Stores a rep's verdicts on leads: accept, reject or recycle, with a reason from the agreement's
 * list for that verdict (required when the agreement's detour says so), an optional 1–5 quality
 * rating and a comment. Bad records come back with the reason; the rest of the call is stored.
 */
export function recordFeedback(
  options: { workspaceId: string; records: FeedbackRecord[] },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<RecordOutcome> {
  return recordFactEvents(options, deps, {
    check({ agreement, now }) {
      const reps = salesRepIds(agreement);
      return (record) =>
        firstRejection(
          () => checkRep('repId', record.repId, reps),
          () =>
            checkListed(
              record.verdict,
              feedbackKinds,
              () => `verdict ${JSON.stringify(record.verdict)} is not one of ${feedbackKinds.join(', ')}.`,
            ),
          () => checkOptionalText('reason', record.reason, 200),
          () => checkFeedbackReason(agreement, record.verdict, record.reason ?? undefined),
          () => checkRating(record.rating),
          () => checkComment(record.comment),
          () => checkInstant('occurredAt', record.occurredAt, now),
        );
    },
    insert(resolved, { repos, workspaceId, now }) {
      return repos.contactWrites.insertFeedback(
        workspaceId,
        resolved.map((item) => ({
          ...factEventColumns(item, now),
          repId: item.record.repId,
          verdict: item.record.verdict,
          reason: item.record.reason ?? null,
          rating: item.record.rating ?? null,
          comment: item.record.comment ?? null,
        })),
      );
    },
  });
}
