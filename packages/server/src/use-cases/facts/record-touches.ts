import { type RecordOutcome, type TouchRecord, touchKinds } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories } from '../../repositories/index.ts';
import {
  checkInstant,
  checkOptionalText,
  checkRef,
  checkRep,
  checkText,
  firstRejection,
  listSome,
  loadAgreement,
  partitionRecords,
  salesRepIds,
} from './fact-checks.ts';
import { attachContacts } from './resolve-refs.ts';

/**
 * Stores touches (a rep's call, e-mail, meeting… to a contact) with their own times, so history
 * can be loaded. Each record is checked on its own (rep of the agreement, kind, time); the good
 * ones are stored in one transaction, the others come back with the reason. A record whose
 * `externalId` is already stored for its source and contact is a duplicate and adds nothing.
 */
export async function recordTouches(
  options: { workspaceId: string; records: TouchRecord[] },
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
          (touchKinds as readonly string[]).includes(record.kind)
            ? undefined
            : {
                code: 'INVALID_FIELD',
                message: `kind ${JSON.stringify(record.kind)} is not a touch kind; expected one of ${listSome(touchKinds, touchKinds.length)}.`,
              },
        () => checkInstant('occurredAt', record.occurredAt, now),
        () => checkOptionalText('outcome', record.outcome, 200),
        () => checkOptionalText('externalId', record.externalId, 500),
        () => checkText('source', record.source, 100),
      ),
    );
    const { resolved, rejected } = await attachContacts(repos, options.workspaceId, checked.accepted, now);

    const recordedAt = now.toISOString();
    const created = await repos.contactWrites.insertTouches(
      options.workspaceId,
      resolved.map(({ record, contactId }) => ({
        contactId,
        id: createUuidV7(record.occurredAt),
        repId: record.repId,
        kind: record.kind,
        outcome: record.outcome ?? null,
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
