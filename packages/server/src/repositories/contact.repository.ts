import { and, asc, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contactIdentities, contacts, type IdentityKind, type JsonObject } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type ContactRow = typeof contacts.$inferSelect;
export type NewContact = {
  workspaceId: string;
  id: string;
  accountId?: string | null;
  email?: string | null;
  traits?: JsonObject;
  mergedIntoId?: string | null;
  createdAt: Date;
  /** Defaults to `createdAt`. */
  updatedAt?: Date;
};
export type ContactIdentityRow = typeof contactIdentities.$inferSelect;

export function createContactRepository(db: Db) {
  return {
    /** Throws CONFLICT when the id is taken in the workspace, NOT_FOUND for an unknown workspace. */
    async create(contact: NewContact): Promise<ContactRow> {
      const row = {
        ...contact,
        traits: contact.traits ?? {},
        updatedAt: contact.updatedAt ?? contact.createdAt,
      };
      const rows = await withConstraintErrors('The contact', () =>
        db.insert(contacts).values(row).returning(),
      );
      return single(rows);
    },

    async find(workspaceId: string, id: string): Promise<ContactRow | undefined> {
      if (!isUuid(workspaceId) || !isUuid(id)) return undefined;
      const [row] = await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)));
      return row;
    },

    /**
     * Links an identity to a contact. An identity already linked is left as it is: `added` is
     * false and `identity` is the stored link, which may name another contact (a merge to decide).
     */
    async addIdentity(
      identity: ContactIdentityRow,
    ): Promise<{ added: boolean; identity: ContactIdentityRow }> {
      const inserted = await withConstraintErrors('The identity', () =>
        db.insert(contactIdentities).values(identity).onConflictDoNothing().returning(),
      );
      const [added] = inserted;
      if (added) return { added: true, identity: added };
      const [stored] = await db
        .select()
        .from(contactIdentities)
        .where(
          and(
            eq(contactIdentities.workspaceId, identity.workspaceId),
            eq(contactIdentities.kind, identity.kind),
            eq(contactIdentities.value, identity.value),
          ),
        );
      return { added: false, identity: stored ?? identity };
    },

    /** The contact an identity is linked to. */
    async findByIdentity(
      workspaceId: string,
      kind: IdentityKind,
      value: string,
    ): Promise<ContactRow | undefined> {
      if (!isUuid(workspaceId)) return undefined;
      const [row] = await db
        .select(getTableColumns(contacts))
        .from(contactIdentities)
        .innerJoin(
          contacts,
          and(
            eq(contacts.workspaceId, contactIdentities.workspaceId),
            eq(contacts.id, contactIdentities.contactId),
          ),
        )
        .where(
          and(
            eq(contactIdentities.workspaceId, workspaceId),
            eq(contactIdentities.kind, kind),
            eq(contactIdentities.value, value),
          ),
        );
      return row;
    },

    /** Oldest first. */
    listIdentities(workspaceId: string, contactId: string): Promise<ContactIdentityRow[]> {
      if (!isUuid(workspaceId) || !isUuid(contactId)) return Promise.resolve([]);
      return db
        .select()
        .from(contactIdentities)
        .where(
          and(eq(contactIdentities.workspaceId, workspaceId), eq(contactIdentities.contactId, contactId)),
        )
        .orderBy(asc(contactIdentities.createdAt), asc(contactIdentities.kind), asc(contactIdentities.value));
    },
  };
}
