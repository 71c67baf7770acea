/**
 * Identity resolution, as a plan: which contact each item belongs to, which contacts must be
 * created, which identity links added, and which contacts merged because one item showed that
 * two of them are the same person. Pure; the server loads the existing links, applies the plan
 * in one transaction, and never loses a fact: a merged contact keeps its facts under its own id
 * and points at the survivor.
 */
export const identityKinds = ['email', 'user_id', 'anonymous_id', 'crm_id'] as const;
export type IdentityKind = (typeof identityKinds)[number];
export type Identity = { kind: IdentityKind; value: string };

/** `kind:value`, the key of an identity in maps. */
export type IdentityKey = string;

export function identityKey(identity: Identity): IdentityKey {
  return `${identity.kind}:${identity.value}`;
}

export type IdentityPlanItem = {
  /** The identities the item names; all of them are one person. */
  identities: Identity[];
  /** Identities to look up but not to link when unknown (an alias's previousId may be either kind). */
  lookupOnly?: Identity[];
};

export type IdentityPlan = {
  /** The contact of each item, in item order (after merges: the survivor). */
  contactIds: string[];
  newContactIds: string[];
  newLinks: { identity: Identity; contactId: string }[];
  /** Contacts that turned out to be the same person as `into`; their identities move to `into`. */
  merges: { from: string; into: string }[];
};

/**
 * Plans the items in order. On a merge the survivor is the contact created first; ids are
 * time-ordered (uuid v7), so that is the smallest id.
 */
export function planIdentities(
  items: IdentityPlanItem[],
  existing: ReadonlyMap<IdentityKey, string>,
  newContactId: () => string,
): IdentityPlan {
  const links = new Map(existing);
  const mergedInto = new Map<string, string>();
  const created = new Set<string>();
  const newLinks = new Map<IdentityKey, { identity: Identity; contactId: string }>();
  const merges: { from: string; into: string }[] = [];
  const itemContacts: string[] = [];

  const survivorOf = (contactId: string): string => {
    let current = contactId;
    for (let next = mergedInto.get(current); next !== undefined; next = mergedInto.get(current))
      current = next;
    return current;
  };

  for (const item of items) {
    const found = new Set<string>();
    for (const identity of [...item.identities, ...(item.lookupOnly ?? [])]) {
      const contactId = links.get(identityKey(identity));
      if (contactId !== undefined) found.add(survivorOf(contactId));
    }

    let contactId: string;
    if (found.size === 0) {
      contactId = newContactId();
      created.add(contactId);
    } else {
      const [survivor, ...others] = [...found].sort();
      contactId = survivor as string;
      for (const other of others) {
        mergedInto.set(other, contactId);
        merges.push({ from: other, into: contactId });
      }
    }

    for (const identity of item.identities) {
      const key = identityKey(identity);
      const linked = links.get(key);
      if (linked === undefined || survivorOf(linked) !== contactId) {
        if (linked === undefined) newLinks.set(key, { identity, contactId });
        links.set(key, contactId);
      }
    }
    itemContacts.push(contactId);
  }

  // Links made before a later merge point at the survivor; merged contacts created in this batch
  // are not created at all when nothing but their own links refers to them.
  const finalLinks = [...newLinks.values()].map((link) => ({
    ...link,
    contactId: survivorOf(link.contactId),
  }));
  const usedContacts = new Set(itemContacts.map(survivorOf));
  const newContactIds = [...created].filter((id) => usedContacts.has(id));
  const keptMerges = merges
    .filter((merge) => !created.has(merge.from))
    .map((merge) => ({ from: merge.from, into: survivorOf(merge.into) }));

  return {
    contactIds: itemContacts.map(survivorOf),
    newContactIds,
    newLinks: finalLinks,
    merges: keptMerges,
  };
}
