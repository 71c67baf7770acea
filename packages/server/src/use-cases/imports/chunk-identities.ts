import { type ContactRef, type Identity, type IdentityKind, planIdentities } from '@smarketing/core';
import { createUuidV7 } from '../../ids.ts';
import { identitiesOf } from '../../ingest/resolve-contacts.ts';
import type { Repositories } from '../../repositories/index.ts';

/**
 * The stored identities one import chunk names — of its contacts, touches and deal events alike —
 * looked up once for the chunk: identity key (`kind:value`) → contact. The chunk's transaction
 * holds the workspace's ingestion lock, so only the chunk's own statements change them; each step
 * that links or merges identities records it here (`noteIdentityPlan`), and the next step plans
 * against the map instead of looking the same identities up again. `created`: the contacts the
 * chunk created that no merge touched since — no fact of theirs was stored before the chunk, so
 * their facts can be COPYed without looking for stored duplicates (each kind of fact is stored
 * once per chunk).
 */
export type ChunkIdentities = { identities: Map<string, string>; created: Set<string> };

/** Whether every one of these contacts holds no stored fact yet (see `ChunkIdentities`). */
export function allCreatedInChunk(known: ChunkIdentities, contactIds: Iterable<string>): boolean {
  for (const id of contactIds) if (!known.created.has(id)) return false;
  return true;
}

const identityKey = (identity: Identity) => `${identity.kind}:${identity.value}`;

/** Looks up, in one statement, every identity the references name. */
export async function lookUpChunkIdentities(
  repos: Pick<Repositories, 'ingest'>,
  workspaceId: string,
  refs: Iterable<ContactRef>,
): Promise<ChunkIdentities> {
  const lookups = new Map<string, Identity>();
  for (const ref of refs)
    for (const identity of identitiesOf(ref)) lookups.set(identityKey(identity), identity);
  return {
    identities: await repos.ingest.findIdentities(workspaceId, [...lookups.values()]),
    created: new Set(),
  };
}

/**
 * Records what a plan stored: its new contacts and links, and merges moving identities to their
 * survivor (neither of the two is then a contact without stored facts).
 */
export function noteIdentityPlan(
  known: ChunkIdentities,
  plan: {
    newContactIds: string[];
    newLinks: { identity: Identity; contactId: string }[];
    merges: { from: string; into: string }[];
  },
) {
  for (const id of plan.newContactIds) known.created.add(id);
  if (plan.merges.length > 0) {
    const into = new Map(plan.merges.map((merge) => [merge.from, merge.into]));
    for (const [key, contactId] of known.identities) {
      const survivor = into.get(contactId);
      if (survivor !== undefined) known.identities.set(key, survivor);
    }
    for (const merge of plan.merges) {
      known.created.delete(merge.from);
      known.created.delete(merge.into);
    }
  }
  for (const link of plan.newLinks) known.identities.set(identityKey(link.identity), link.contactId);
}

/**
 * `resolveContacts` (ingest/resolve-contacts.ts) for references whose identities are all in
 * `known`: plans against the map, then creates unknown people, merges and links exactly as it
 * does, without taking the lock again or reading. Answers a contact per reference (none may name
 * a `contactId`).
 */
export async function resolveChunkContacts(
  repos: Pick<Repositories, 'ingest' | 'importStaging'>,
  workspaceId: string,
  known: ChunkIdentities,
  refs: ContactRef[],
  at: Date,
): Promise<string[]> {
  if (refs.length === 0) return [];
  const plan = planIdentities(
    refs.map((ref) => ({ identities: identitiesOf(ref) })),
    known.identities,
    () => createUuidV7(at),
  );
  if (plan.newContactIds.length + plan.newLinks.length + plan.merges.length === 0) return plan.contactIds;
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
  await repos.importStaging.copyNewIdentities(
    workspaceId,
    plan.newLinks.map((link) => ({
      kind: link.identity.kind as IdentityKind,
      value: link.identity.value,
      contactId: link.contactId,
    })),
    iso,
  );
  noteIdentityPlan(known, plan);
  return plan.contactIds;
}
