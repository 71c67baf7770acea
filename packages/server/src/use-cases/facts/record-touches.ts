import { type RecordOutcome, type TouchRecord, touchKinds } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import {
  checkInstant,
  checkListed,
  checkOptionalText,
  checkRep,
  firstRejection,
  listSome,
  salesRepIds,
} from './fact-checks.ts';
import { factEventColumns, recordFactEvents } from './record-facts.ts';

/**
 * Stores touches (a rep's call, e-mail, meeting… to a contact) with their own times, so history
 * can be loaded. Each record is checked on its own (rep of the agreement, kind, time); the good
 * ones are stored in one transaction, the others come back with the reason. A record whose
 * `externalId` is already stored for its source and contact is a duplicate and adds nothing.
 */
export function recordTouches(
  options: { workspaceId: string; records: TouchRecord[] },
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
              record.kind,
              touchKinds,
              () =>
                `kind ${JSON.stringify(record.kind)} is not a touch kind; expected one of ${listSome(touchKinds, touchKinds.length)}.`,
            ),
          () => checkInstant('occurredAt', record.occurredAt, now),
          () => checkOptionalText('outcome', record.outcome, 200),
        );
    },
    insert(resolved, { repos, workspaceId, now }) {
      return repos.contactWrites.insertTouches(
        workspaceId,
        resolved.map((item) => ({
          ...factEventColumns(item, now),
          repId: item.record.repId,
          kind: item.record.kind,
          outcome: item.record.outcome ?? null,
        })),
      );
    },
  });
}
