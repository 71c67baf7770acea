import type { Agreement } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import type { Persona } from './edit-personas.ts';

export type ListedPersona = Persona & {
  /** Surviving contacts the engine last matched to the persona. */
  contacts: number;
};

/**
 * The personas of the current agreement, with the version they belong to (send it back when
 * editing) and how many contacts match each, by the engine's state.
 */
export async function listPersonas(
  options: { workspaceId: string },
  deps: Pick<Deps, 'repos'>,
): Promise<{ version: number; personas: ListedPersona[] }> {
  const latest = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (latest === undefined) {
    throw new AppError('NOT_FOUND', { message: 'No agreement has been applied to this workspace yet.' });
  }
  const counts = await deps.repos.personas.countContacts(options.workspaceId);
  const agreement = latest.parsed as Agreement;
  return {
    version: latest.version,
    personas: agreement.personas.map((persona) => ({
      ...persona,
      // Versions stored before personas had pains have none.
      pains: persona.pains ?? [],
      contacts: counts.get(persona.id) ?? 0,
    })),
  };
}
