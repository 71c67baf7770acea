import type { SimulatedFact } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { recordDealEvents } from '../facts/record-deal-events.ts';
import { recordFeedback } from '../facts/record-feedback.ts';
import { recordTouches } from '../facts/record-touches.ts';
import { ingestMessages } from '../ingest/ingest-messages.ts';

export type LoadSummary = { stored: number; duplicates: number; rejected: number; batches: number };

const maxBatch = 500;

/**
 * Stores simulated facts straight into a workspace through the same use cases the APIs call
 * (tracking pipeline, touches, deal events, feedback), in time order: consecutive facts of one
 * kind go together, so every contact's facts are stored in the order they happened.
 */
export async function loadSimulatedFacts(
  options: { workspaceId: string; facts: Iterable<SimulatedFact>; onProgress?: (done: number) => void },
  deps: Pick<Deps, 'database' | 'clock' | 'ingest'>,
): Promise<LoadSummary> {
  const summary: LoadSummary = { stored: 0, duplicates: 0, rejected: 0, batches: 0 };
  let batch: SimulatedFact[] = [];
  let done = 0;

  const flush = async () => {
    const first = batch[0];
    if (!first) return;
    const facts = batch;
    batch = [];
    summary.batches++;
    const { workspaceId } = options;
    if (first.kind === 'segment') {
      const outcome = await ingestMessages(
        { workspaceId, messages: facts.map((fact) => (fact.kind === 'segment' ? fact.message : {})) },
        deps,
      );
      summary.stored += outcome.accepted;
      summary.duplicates += outcome.duplicates;
      summary.rejected += outcome.dropped.length;
    } else {
      const outcome =
        first.kind === 'touch'
          ? await recordTouches(
              { workspaceId, records: facts.flatMap((f) => (f.kind === 'touch' ? [f.record] : [])) },
              deps,
            )
          : first.kind === 'deal-event'
            ? await recordDealEvents(
                { workspaceId, records: facts.flatMap((f) => (f.kind === 'deal-event' ? [f.record] : [])) },
                deps,
              )
            : await recordFeedback(
                { workspaceId, records: facts.flatMap((f) => (f.kind === 'feedback' ? [f.record] : [])) },
                deps,
              );
      summary.stored += outcome.created;
      summary.duplicates += outcome.duplicates;
      summary.rejected += outcome.rejected.length;
    }
    done += facts.length;
    options.onProgress?.(done);
  };

  for (const fact of options.facts) {
    if (batch.length > 0 && (batch[0]?.kind !== fact.kind || batch.length >= maxBatch)) await flush();
    batch.push(fact);
  }
  await flush();
  return summary;
}
