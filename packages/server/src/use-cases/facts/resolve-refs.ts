import type { ContactRef, Identity, IdentityPlanItem } from '@smarketing/core';
import { identitiesOf, resolveContacts } from '../../ingest/resolve-contacts.ts';
import type { Repositories } from '../../repositories/index.ts';
import type { Rejected, Rejection } from './fact-checks.ts';

type RefResolution = {
  /** Per reference, in order: its contact (the survivor after merges), or why it was refused. */
  contacts: (string | Rejection)[];
  /** Contacts that did not exist before this call. */
  created: Set<string>;
};

/**
 * Resolves the contact references of one call inside the caller's transaction (which then holds
 * the workspace's ingestion lock). Identities resolve like the tracking path: unknown people are
 * created, identities link, and a reference naming two known contacts merges them. A `contactId`
 * must name a contact of this workspace (merged ones lead to their survivor); its other
 * identities join it, through one of its own identities given to the planner as a lookup.
 */
async function resolveRefs(
  repos: Pick<Repositories, 'ingest' | 'contactWrites'>,
  workspaceId: string,
  refs: ContactRef[],
  at: Date,
): Promise<RefResolution> {
  await repos.ingest.lockWorkspace(workspaceId);
  const named = [...new Set(refs.flatMap((ref) => (ref.contactId?.trim() ? [ref.contactId.trim()] : [])))];
  const survivors = await repos.ingest.findContacts(workspaceId, named);
  const anchors = await repos.contactWrites.findAnchorIdentities(workspaceId, [
    ...new Set(survivors.values()),
  ]);

  const contacts: (string | Rejection)[] = [];
  const items: IdentityPlanItem[] = [];
  const itemOfRef: number[] = [];
  const directLinks: { kind: Identity['kind']; value: string; contactId: string }[] = [];
  const lookups: Identity[] = [];

  refs.forEach((ref, index) => {
    const identities = identitiesOf(ref);
    const contactId = ref.contactId?.trim();
    lookups.push(...identities);
    if (!contactId) {
      contacts.push('');
      itemOfRef[index] = items.push({ identities }) - 1;
      return;
    }
    const survivor = survivors.get(contactId);
    if (survivor === undefined) {
      contacts.push({
        code: 'NOT_FOUND',
        message: `contact.contactId ${contactId} is not a contact of this workspace.`,
      });
      return;
    }
    const anchor = anchors.get(survivor);
    if (identities.length === 0 || anchor === undefined) {
      // A contact without identities of its own keeps the id it was named by; new identities join it.
      contacts.push(survivor);
      for (const identity of identities) directLinks.push({ ...identity, contactId: survivor });
      return;
    }
    contacts.push('');
    itemOfRef[index] = items.push({ identities, lookupOnly: [anchor] }) - 1;
  });

  const known = await repos.ingest.findIdentities(workspaceId, dedupe(lookups));
  const existing = new Set([...known.values(), ...survivors.values()]);
  const resolved = await resolveContacts(repos, workspaceId, items, at);
  await repos.ingest.insertIdentities(workspaceId, directLinks, at.toISOString());

  const created = new Set<string>();
  for (const [refIndex, itemIndex] of itemOfRef.entries()) {
    if (itemIndex === undefined) continue;
    const contactId = resolved[itemIndex] as string;
    contacts[refIndex] = contactId;
    if (!existing.has(contactId)) created.add(contactId);
  }
  return { contacts, created };
}

function dedupe(identities: Identity[]): Identity[] {
  const byKey = new Map(identities.map((identity) => [`${identity.kind}:${identity.value}`, identity]));
  return [...byKey.values()];
}

/**
 * Resolves the contacts of records that passed their checks: answers each with its contact, and
 * the records whose reference could not be resolved as rejections.
 */
export async function attachContacts<T extends { ref: ContactRef }>(
  repos: Pick<Repositories, 'ingest' | 'contactWrites'>,
  workspaceId: string,
  accepted: { index: number; record: T }[],
  at: Date,
): Promise<{
  resolved: { index: number; record: T; contactId: string }[];
  rejected: Rejected[];
  created: Set<string>;
}> {
  const { contacts, created } = await resolveRefs(
    repos,
    workspaceId,
    accepted.map((item) => item.record.ref),
    at,
  );
  const resolved: { index: number; record: T; contactId: string }[] = [];
  const rejected: Rejected[] = [];
  accepted.forEach((item, position) => {
    const contact = contacts[position];
    if (typeof contact === 'string' && contact !== '') resolved.push({ ...item, contactId: contact });
    else rejected.push({ index: item.index, ...(contact as Rejection) });
  });
  return { resolved, rejected, created };
}
