import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { JsonObject } from '../db/schema.ts';
import { json } from './contact-write.repository.ts';

/**
 * The statements only CSV imports need: an import writes large chunks of records at once, each
 * list as one JSON parameter expanded with `jsonb_to_recordset` (one statement per chunk, never
 * PostgreSQL's parameter limit).
 */
export type ImportedContactInsert = {
  id: string;
  email: string | null;
  traits: JsonObject;
  accountId: string | null;
  createdAt: string;
  /** When it was stored (`updated_at`). */
  at: string;
};

export function createImportStagingRepository(db: Db) {
  return {
    /** Inserts new contacts as they are, account and creation time included. */
    async insertContacts(workspaceId: string, contacts: ImportedContactInsert[]): Promise<void> {
      if (contacts.length === 0) return;
      await db.execute(
        sql`insert into contacts (workspace_id, id, email, traits, account_id, created_at, updated_at)
            select ${workspaceId}::uuid, x.id, x.email, coalesce(x.traits, '{}'::jsonb), x."accountId",
                   x."createdAt", x.at
            from jsonb_to_recordset(${json(contacts)}::jsonb) as x(
              id uuid, email text, traits jsonb, "accountId" uuid, "createdAt" timestamptz, at timestamptz)`,
      );
    },
  };
}
