import { type Agreement, simulate } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { type LoadSummary, loadSimulatedFacts } from './load-simulated-facts.ts';

/**
 * Fills a workspace with a simulated company (the same simulator as `smarketing simulate`) under
 * its current agreement: 500 contacts over the 6 months before now, seed 1. An aborted `signal`
 * stops it after the batch in progress.
 */
export async function loadDemo(
  options: { workspaceId: string; contacts?: number; months?: number; signal?: AbortSignal },
  deps: Pick<Deps, 'database' | 'clock' | 'ingest' | 'repos'>,
): Promise<LoadSummary> {
  const current = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (!current)
    throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement to simulate under.' });
  const months = options.months ?? 6;
  const now = deps.clock();
  const simulation = simulate({
    contacts: options.contacts ?? 500,
    months,
    seed: 1,
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1)),
    agreement: current.parsed as Agreement,
  });
  return loadSimulatedFacts(
    {
      workspaceId: options.workspaceId,
      facts: simulation.facts,
      // Stopping the server mid-load ends it between batches (each batch is stored whole).
      onProgress: () => options.signal?.throwIfAborted(),
    },
    deps,
  );
}
