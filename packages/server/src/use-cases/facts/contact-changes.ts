import type { ContactRecord } from '@smarketing/core';
import type { ContactChange } from '../../repositories/contact-write.repository.ts';

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
