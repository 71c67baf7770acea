import type { ContactRecord } from '@smarketing/core';
import { createUuidV7 } from '../../ids.ts';
import type { ContactChange, TransitionInsert } from '../../repositories/contact-write.repository.ts';
import { checkInstant, listSome, type Rejection } from './fact-checks.ts';

/** One contact record with what its call resolved for it. */
export type ResolvedContactRecord = {
  record: ContactRecord;
  contactId: string;
  /** The account the record names (by CRM id or domain), if any. */
  accountId: string | undefined;
  /** The account of the contact's e-mail domain, if any. */
  domainAccountId: string | undefined;
};

/**
 * One change per contact from a call's (or an import chunk's) records, applied in order: traits
 * set and cleared (null clears), the owner rep as a trait, a first e-mail, the account, and the
 * earliest creation time. Shared by the contacts API and the import, so both merge alike.
 */
export function collectContactChanges(
  entries: readonly ResolvedContactRecord[],
  at: string,
): ContactChange[] {
  const changes = new Map<string, ContactChange>();
  for (const { record, contactId, accountId, domainAccountId } of entries) {
    const change: ContactChange = changes.get(contactId) ?? {
      id: contactId,
      traits: {},
      clear: [],
      email: null,
      accountId: null,
      domainAccountId: null,
      createdAt: null,
      at,
    };
    const traits = {
      ...record.traits,
      ...(record.ownerRepId ? { ownerRepId: record.ownerRepId.trim() } : {}),
    };
    for (const [name, value] of Object.entries(traits)) {
      if (value === undefined) continue;
      if (value === null) {
        delete change.traits[name];
        if (!change.clear.includes(name)) change.clear.push(name);
      } else {
        change.traits[name] = value;
        change.clear = change.clear.filter((cleared) => cleared !== name);
      }
    }
    change.email = record.ref.email?.trim().toLowerCase() || change.email;
    change.accountId = accountId ?? change.accountId;
    change.domainAccountId = domainAccountId || change.domainAccountId;
    if (record.createdAt && (!change.createdAt || record.createdAt.toISOString() < change.createdAt)) {
      change.createdAt = record.createdAt.toISOString();
    }
    changes.set(contactId, change);
  }
  return [...changes.values()];
}

/** Checks a contact record's stage history against the agreement's stages. */
export function checkStageHistory(
  history: ContactRecord['stageHistory'],
  stages: readonly string[],
  now: Date,
): Rejection | undefined {
  if (history === undefined) return undefined;
  if (!Array.isArray(history)) return { code: 'INVALID_FIELD', message: 'stageHistory must be a list.' };
  for (const [index, entry] of history.entries()) {
    if (!stages.includes(entry?.stage)) {
      return {
        code: 'UNKNOWN_STAGE',
        message: `stageHistory[${index}].stage ${JSON.stringify(entry?.stage)} is not a stage of the agreement; valid: ${listSome(stages, stages.length)}.`,
      };
    }
    const invalid = checkInstant(`stageHistory[${index}].at`, entry.at, now);
    if (invalid) return invalid;
  }
  return undefined;
}

/** The record's stage history as imported transitions, oldest first, each from the stage before it. */
export function historyOf(
  record: ContactRecord,
  contactId: string,
  options: { recordedAt: string; agreementVersion: number },
): TransitionInsert[] {
  const history = [...(record.stageHistory ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  const source = record.source.trim();
  const identity = identityOf(record);
  return history.map((entry, index) => ({
    contactId,
    id: createUuidV7(entry.at),
    fromStage: history[index - 1]?.stage ?? null,
    toStage: entry.stage,
    occurredAt: entry.at.toISOString(),
    recordedAt: options.recordedAt,
    actor: source,
    agreementVersion: options.agreementVersion,
    externalId: `${source}:${identity}:${entry.stage}`,
  }));
}

/** The identity that names the contact in the source: its CRM id when it has one. */
function identityOf(record: ContactRecord): string {
  const { ref } = record;
  return (
    ref.crmId?.trim() ||
    ref.email?.trim().toLowerCase() ||
    ref.userId?.trim() ||
    ref.anonymousId?.trim() ||
    ref.contactId?.trim() ||
    ''
  );
}
