import type { Agreement, ContactRef, RecordOutcome } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories, type Repositories } from '../../repositories/index.ts';
import {
  checkOptionalText,
  checkRef,
  checkText,
  firstRejection,
  loadAgreement,
  partitionRecords,
  type Rejected,
  type Rejection,
} from './fact-checks.ts';
import { attachContacts } from './resolve-refs.ts';

/** One call of a fact use case: inside its transaction, against the workspace's current agreement. */
export type FactCall = {
  repos: Repositories;
  workspaceId: string;
  agreement: Agreement;
  /** The agreement's version number. */
  version: number;
  now: Date;
};

/** A record that passed its checks, with the contact its reference resolved to. */
export type ResolvedFact<T> = { index: number; record: T; contactId: string };

/**
 * The flow the fact use cases share: in one transaction, load the agreement, check each record
 * (its contact reference, then `check`), resolve the contacts of the good ones, `store` them, and
 * answer what `store` answers with the rejections of both steps, in record order.
 */
export async function recordFacts<T extends { ref: ContactRef }, Stored extends object>(
  options: { workspaceId: string; records: T[] },
  deps: Pick<Deps, 'database' | 'clock'>,
  steps: {
    /** Given the call, the record's own checks. */
    check(call: FactCall): (record: T) => Rejection | undefined;
    /** `created`: the contacts that did not exist before this call. */
    store(resolved: ResolvedFact<T>[], call: FactCall, created: Set<string>): Promise<Stored>;
  },
): Promise<Stored & { rejected: Rejected[] }> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const { agreement, version } = await loadAgreement(repos, options.workspaceId);
    const call: FactCall = { repos, workspaceId: options.workspaceId, agreement, version, now };
    const check = steps.check(call);
    const checked = partitionRecords(options.records, (record) =>
      firstRejection(
        () => checkRef(record.ref),
        () => check(record),
      ),
    );
    const { resolved, rejected, created } = await attachContacts(
      repos,
      options.workspaceId,
      checked.accepted,
      now,
    );
    const stored = await steps.store(resolved, call, created);
    return { ...stored, rejected: [...checked.rejected, ...rejected].sort((a, b) => a.index - b.index) };
  });
}

/** A fact that happened once (a touch, a verdict, a deal event), idempotent on its source's key. */
type FactEvent = { ref: ContactRef; occurredAt: Date; externalId?: string; source: string };

/**
 * `recordFacts` for facts that happened once: after the record's own checks come its key and
 * source; `insert` stores the resolved records and answers how many were new, the others being
 * duplicates of stored ones.
 */
export function recordFactEvents<T extends FactEvent>(
  options: { workspaceId: string; records: T[] },
  deps: Pick<Deps, 'database' | 'clock'>,
  steps: {
    check(call: FactCall): (record: T) => Rejection | undefined;
    insert(resolved: ResolvedFact<T>[], call: FactCall): Promise<number>;
  },
): Promise<RecordOutcome> {
  return recordFacts(options, deps, {
    check(call) {
      const check = steps.check(call);
      return (record) =>
        firstRejection(
          () => check(record),
          () => checkOptionalText('externalId', record.externalId, 500),
          () => checkText('source', record.source, 100),
        );
    },
    async store(resolved, call) {
      const created = await steps.insert(resolved, call);
      return { created, duplicates: resolved.length - created };
    },
  });
}

/** The columns every stored fact event has: its contact, a new id, when (recorded `now`), where from. */
export function factEventColumns<T extends FactEvent>({ record, contactId }: ResolvedFact<T>, now: Date) {
  return {
    contactId,
    id: createUuidV7(record.occurredAt),
    occurredAt: record.occurredAt.toISOString(),
    recordedAt: now.toISOString(),
    source: record.source.trim(),
    externalId: record.externalId ?? null,
  };
}
