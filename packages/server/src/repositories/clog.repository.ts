import type { ClogPerson } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { json, rows } from './contact-write.repository.ts';
import { isUuid } from './query-helpers.ts';

/** Segment keys read from somewhere other than the contact's traits. */
const stateKeys = new Set(['team', 'rep', 'quadrant', 'persona']);
/** Named segment keys that are traits under another name. */
const traitNames: Record<string, string> = { source: 'leadSource' };

/**
 * What the clog report needs of each person (a surviving contact): a name and e-mail to list the
 * leads concerned, and the values of the segment keys asked for — `team`, `rep` (current owner),
 * `quadrant` (current scores), `persona` (the engine's latest fit, possibly several), `source`
 * (`traits.leadSource`) and any other trait (`country`, `industry`, `trait.<key>` or a bare key).
 */
export function createClogRepository(db: Db) {
  return {
    async listPeople(
      workspaceId: string,
      personIds: readonly string[],
      segmentKeys: readonly string[],
    ): Promise<Map<string, ClogPerson>> {
      const people = new Map<string, ClogPerson>();
      if (!isUuid(workspaceId) || personIds.length === 0) return people;
      const traitKeys = segmentKeys
        .filter((key) => !stateKeys.has(key))
        .map((key) => traitNames[key] ?? (key.startsWith('trait.') ? key.slice('trait.'.length) : key));
      const found = await rows<{
        person_id: string;
        email: string | null;
        traits: Record<string, unknown> | null;
        team: string | null;
        rep: string | null;
        quadrant: string | null;
        personas: unknown;
      }>(
        db,
        sql`select s.id as person_id, s.email,
                   (select jsonb_object_agg(k, s.traits -> k)
                      from jsonb_array_elements_text(${json([...traitKeys, 'name', 'firstName', 'lastName'])}::jsonb) as k
                     where s.traits ? k) as traits,
                   cs.owner_team_id as team, cs.owner_rep_id as rep, sc.quadrant,
                   cs.state -> 'fit' -> 'personas' as personas
              from jsonb_array_elements_text(${json(personIds)}::jsonb) as p(id)
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = p.id::uuid
              left join contact_states cs on cs.workspace_id = s.workspace_id and cs.contact_id = s.id
              left join scores sc on sc.workspace_id = s.workspace_id and sc.contact_id = s.id`,
      );
      for (const row of found) {
        const traits = row.traits ?? {};
        const text = (value: unknown) =>
          value === null || value === undefined || typeof value === 'object' ? null : String(value);
        const segments: Record<string, string[]> = {};
        for (const key of segmentKeys) {
          let values: (string | null)[];
          if (key === 'team') values = [row.team];
          else if (key === 'rep') values = [row.rep];
          else if (key === 'quadrant') values = [row.quadrant];
          else if (key === 'persona') values = Array.isArray(row.personas) ? row.personas.map(text) : [];
          else {
            const trait = traitNames[key] ?? (key.startsWith('trait.') ? key.slice('trait.'.length) : key);
            values = [text(traits[trait])?.toLowerCase() ?? null];
          }
          segments[key] = values.filter((value): value is string => value !== null && value !== '');
        }
        const name =
          text(traits.name) ??
          ([text(traits.firstName), text(traits.lastName)].filter((part) => part !== null).join(' ') || null);
        people.set(row.person_id, { name, email: row.email, segments });
      }
      return people;
    },
  };
}
