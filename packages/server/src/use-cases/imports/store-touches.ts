import { type RecordOutcome, type TouchRecord, touchKinds } from '@smarketing/core';
import type { TouchInsert } from '../../repositories/contact-write.repository.ts';
import {
  checkInstant,
  checkListed,
  checkOptionalText,
  checkRef,
  checkRep,
  checkText,
  listSome,
  partitionRecords,
  salesRepIds,
} from '../facts/fact-checks.ts';
import { type FactCall, factEventColumns } from '../facts/record-facts.ts';
import { allCreatedInChunk, type ChunkIdentities, resolveChunkContacts } from './chunk-identities.ts';

/**
 * `recordTouches` for one chunk of an import, inside the caller's transaction (which holds the
 * workspace's ingestion lock), with the same checks, contacts and counts: the contacts are
 * resolved against the chunk's identities (`known`), looked up once for all kinds of records.
 * Records that name a `contactId` are not handled here (`undefined`): the caller passes the chunk
 * to `recordTouches`.
 */
export async function storeImportedTouches(
  records: TouchRecord[],
  { repos, workspaceId, agreement, now }: FactCall,
  known: ChunkIdentities,
): Promise<RecordOutcome | undefined> {
  if (records.some((record) => record.ref?.contactId?.trim())) return undefined;
  const reps = salesRepIds(agreement);
  const checked = partitionRecords(
    records,
    (record) =>
      // The first check that fails (`??`: no closures to allocate per record).
      checkRef(record.ref) ??
      checkRep('repId', record.repId, reps) ??
      checkListed(
        record.kind,
        touchKinds,
        () =>
          `kind ${JSON.stringify(record.kind)} is not a touch kind; expected one of ${listSome(touchKinds, touchKinds.length)}.`,
      ) ??
      checkInstant('occurredAt', record.occurredAt, now) ??
      checkOptionalText('outcome', record.outcome, 200) ??
      checkOptionalText('externalId', record.externalId, 500) ??
      checkText('source', record.source, 100),
  );
  const contactIds = await resolveChunkContacts(
    repos,
    workspaceId,
    known,
    checked.accepted.map((item) => item.record.ref),
    now,
  );
  const touches = checked.accepted.map(({ index, record }, position): TouchInsert => {
    // Named one by one: spreading the shared columns into a larger literal is several times slower.
    const { contactId, id, occurredAt, recordedAt, source, externalId } = factEventColumns(
      { index, record, contactId: contactIds[position] as string },
      now,
    );
    return {
      contactId,
      id,
      repId: record.repId,
      kind: record.kind,
      outcome: record.outcome ?? null,
      occurredAt,
      recordedAt,
      source,
      externalId,
    };
  });
  const created = allCreatedInChunk(known, contactIds)
    ? await repos.importStaging.copyNewTouches(workspaceId, touches)
    : await repos.contactWrites.insertTouches(workspaceId, touches);
  return { created, duplicates: checked.accepted.length - created, rejected: checked.rejected };
}
