import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rows } from './contact-write.repository.ts';
import { isUuid } from './query-helpers.ts';

/** Reads about personas; the personas themselves live in the agreement. */
export function createPersonaRepository(db: Db) {
  return {
    /**
     * How many surviving (not merged) contacts match each persona, by the engine's state
     * (`contact_states.state.fit.personas`, as of the version each contact was last scored with).
     */
    async countContacts(workspaceId: string): Promise<Map<string, number>> {
      if (!isUuid(workspaceId)) return new Map();
      const found = await rows<{ persona: string; contacts: unknown }>(
        db,
        sql`select p.persona, count(*) as contacts
              from contact_states cs
              join contacts c on c.workspace_id = cs.workspace_id and c.id = cs.contact_id
              cross join lateral jsonb_array_elements_text(
                case when jsonb_typeof(cs.state -> 'fit' -> 'personas') = 'array'
                     then cs.state -> 'fit' -> 'personas' else '[]'::jsonb end
              ) as p(persona)
             where cs.workspace_id = ${workspaceId}::uuid and c.merged_into_id is null
             group by p.persona`,
      );
      return new Map(found.map((row) => [row.persona, Number(row.contacts)]));
    },
  };
}
