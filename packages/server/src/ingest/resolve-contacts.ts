import { type ContactRef, type Identity, type IdentityPlanItem, planIdentities } from '@smarketing/core';
import { createUuidV7 } from '../ids.ts';
import type { Repositories } from '../repositories/index.ts';
import type { IdentityCacheTransaction } from './identity-cache.ts';

/**
 * Applies identity resolution inside the caller's transaction: finds or creates the contact of
 * each item, links new identities, merges contacts an item shows to be one person. Holds the
 * workspace's ingestion lock until the transaction ends, so concurrent writers (several server
 * processes on one PostgreSQL) never create the same person twice (`locked`: the caller holds it
 * already). Answers a contact id per item. With a cache: when every identity is known and nothing
 * needs creating, linking or merging, the cached contacts are only checked to still exist unmerged
 * (an erasure or a merge, by this process or another, since they were cached); any that does not
 * sends the whole call down the full path, which re-learns every identity it looked up.
 */
export async function resolveContacts(
  repos: Pick<Repositories, 'ingest'>,
  workspaceId: string,
  items: IdentityPlanItem[],
  at: Date,
  options: { cache?: IdentityCacheTransaction | undefined; locked?: boolean } = {},
): Promise<string[]> {
  const { cache } = options;
  let locked = options.locked ?? false;
  const lock = async () => {
    if (!locked) await repos.ingest.lockWorkspace(workspaceId);
    locked = true;
  };
  if (items.length === 0) return [];
  const lookups = new Map<string, Identity>();
  for (const item of items) {
    for (const identity of [...item.identities, ...(item.lookupOnly ?? [])]) {
      lookups.set(`${identity.kind}:${identity.value}`, identity);
    }
  }
  const cacheKey = (key: string) => `${workspaceId}|${key}`;
  if (cache) {
    const known = new Map<string, string>();
    for (const key of lookups.keys()) {
      const contactId = cache.get(cacheKey(key), at.getTime());
      if (contactId !== undefined) known.set(key, contactId);
    }
    if (known.size === lookups.size) {
      const cached = planIdentities(items, known, () => createUuidV7(at));
      const settled =
        cached.newContactIds.length === 0 && cached.newLinks.length === 0 && cached.merges.length === 0;
      if (settled) {
        // Checked under the ingest lock, which an erasure holds while it deletes: a contact
        // erased before this point is seen gone, and none can be erased until this commits.
        await lock();
        const ids = [...new Set(known.values())];
        const live = await repos.ingest.findLiveContacts(workspaceId, ids);
        if (live.size === ids.length) return cached.contactIds;
      }
    }
  }

  await lock();
  const existing = await repos.ingest.findIdentities(workspaceId, [...lookups.values()]);
  const plan = planIdentities(items, existing, () => createUuidV7(at));

  const iso = at.toISOString();
  const emailOf = new Map<string, string>();
  for (const link of plan.newLinks) {
    if (link.identity.kind === 'email' && !emailOf.has(link.contactId))
      emailOf.set(link.contactId, link.identity.value);
  }
  await repos.ingest.insertContacts(
    workspaceId,
    plan.newContactIds.map((id) => ({ id, email: emailOf.get(id) ?? null, traits: {}, at: iso })),
  );
  await repos.ingest.mergeContacts(workspaceId, plan.merges, iso);
  await repos.ingest.insertIdentities(
    workspaceId,
    plan.newLinks.map((link) => ({
      kind: link.identity.kind,
      value: link.identity.value,
      contactId: link.contactId,
    })),
    iso,
  );
  if (cache) {
    const mergedInto = new Map(plan.merges.map((merge) => [merge.from, merge.into]));
    for (const [key, contactId] of existing)
      cache.stage(cacheKey(key), mergedInto.get(contactId) ?? contactId);
    for (const link of plan.newLinks) {
      cache.stage(cacheKey(`${link.identity.kind}:${link.identity.value}`), link.contactId);
    }
  }
  return plan.contactIds;
}

/** The identities a reference names (a bare `contactId` is resolved separately). */
export function identitiesOf(ref: ContactRef): Identity[] {
  const identities: Identity[] = [];
  const email = ref.email?.trim().toLowerCase();
  if (email) identities.push({ kind: 'email', value: email });
  if (ref.userId?.trim()) identities.push({ kind: 'user_id', value: ref.userId.trim() });
  if (ref.anonymousId?.trim()) identities.push({ kind: 'anonymous_id', value: ref.anonymousId.trim() });
  if (ref.crmId?.trim()) identities.push({ kind: 'crm_id', value: ref.crmId.trim() });
  return identities;
}
