import { type ContactRef, type Identity, type IdentityKind, planIdentities } from '@smarketing/core';
import { createUuidV7 } from '../../ids.ts';
import { identitiesOf } from '../../ingest/resolve-contacts.ts';
import type { Repositories } from '../../repositories/index.ts';

/**
 * The stored identities one import chunk names — of its contacts, touches and deal events alike —
 * looked up once for the chunk: identity key (`kind:value`) → contact. The chunk's transaction
 * holds the workspace's ingestion lock, so only the chunk's own statements change them; each step
 * that links or merges identities records it here (`noteIdentityPlan`), and the next step plans
 * against the map instead of looking the same identities up again.
 */
export type ChunkIdentities = Map<string, string>;

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
  return repos.ingest.findIdentities(workspaceId, [...lookups.values()]);
}

/** Records what a plan stored: its new links, and merges moving identities to their survivor. */
export function noteIdentityPlan(
  known: ChunkIdentities,
  plan: { newLinks: { identity: Identity; contactId: string }[]; merges: { from: string; into: string }[] },
) {
  if (plan.merges.length > 0) {
    const into = new Map(plan.merges.map((merge) => [merge.from, merge.into]));
    for (const [key, contactId] of known) {
      const survivor = into.get(contactId);
      if (survivor !== undefined) known.set(key, survivor);
    }
  }
  for (const link of plan.newLinks) known.set(identityKey(link.identity), link.contactId);
}

/**
 * `resolveContacts` (ingest/resolve-contacts.ts) for references whose identities are all in
 * `known`: plans against the map, then creates unknown people, merges and links exactly as it
 * does, without taking the lock again or reading. Answers a contact per reference (none may name
 * a `contactId`).
 */
export async function resolveChunkContacts(
  repos: Pick<Repositories, 'ingest'>,
  workspaceId: string,
  known: ChunkIdentities,
  refs: ContactRef[],
  at: Date,
): Promise<string[]> {
  if (refs.length === 0) return [];
  const plan = planIdentities(
    refs.map((ref) => ({ identities: identitiesOf(ref) })),
    known,
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
  await repos.ingest.insertIdentities(
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
