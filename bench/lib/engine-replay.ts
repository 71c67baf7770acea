import type { Deps } from '../../packages/server/src/deps.ts';
import { replayEngine } from '../../packages/server/src/use-cases/engine/replay-engine.ts';
import { createWorkspace } from '../../packages/server/src/use-cases/workspaces/create-workspace.ts';
import { fillWorkspace } from './engine-fill.ts';
import {
  clearRecompute,
  compareScores,
  createRecomputeTable,
  describeRecompute,
  recomputeScores,
  type ScoreComparison,
  sampleMismatches,
} from './engine-recompute.ts';

/**
 * A full replay (`replayEngine`: erase the derived rows, fold every fact in memory, write them
 * back) of a filled workspace, against the hand-written SQL recompute of the same scores, runs
 * alternating; then the engine's `scores` compared with the SQL's, contact by contact.
 */

export type ReplayResult = {
  events: number;
  contacts: number;
  contactChanges: number;
  touches: number;
  fillSeconds: number;
  replaySeconds: number[];
  sqlSeconds: number[];
  steps: number;
  heapMiB: number;
  agreement: ScoreComparison;
};

const dayMs = 86_400_000;

export async function measureReplay(
  deps: Deps,
  options: { events: number; runs: number; log: (line: string) => void },
): Promise<ReplayResult> {
  const db = deps.database;
  const workspace = await createWorkspace(
    { name: `Engine replay ${options.events} ${Date.now()}`, createdBy: 'bench' },
    deps,
  );
  const workspaceId = workspace.workspaceId;
  const endMs = Date.now() - 3_600_000;
  const filling = performance.now();
  const filled = await fillWorkspace(db, {
    workspaceId,
    events: options.events,
    startMs: endMs - 365 * dayMs,
    endMs,
    onProgress: (done, total) => {
      if (total >= 1_000_000)
        options.log(`  filled ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
    },
  });
  const fillSeconds = (performance.now() - filling) / 1000;
  options.log(
    `  replay data: ${filled.events.toLocaleString('en')} activities, ${filled.contacts.toLocaleString('en')} contacts, ${filled.contactChanges.toLocaleString('en')} contact changes, ${filled.touches.toLocaleString('en')} touches, filled in ${fillSeconds.toFixed(0)} s`,
  );
  await createRecomputeTable(db);

  const replaySeconds: number[] = [];
  const sqlSeconds: number[] = [];
  let steps = 0;
  let heapMiB = 0;
  for (let run = 0; run < options.runs; run++) {
    const started = performance.now();
    let reported = 0;
    const result = await replayEngine(deps, {
      workspaceId,
      onProgress: ({ steps }) => {
        if (steps - reported < 200_000) return;
        reported = steps;
        options.log(
          `    replayed ${steps.toLocaleString('en')} facts in ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      },
    });
    replaySeconds.push((performance.now() - started) / 1000);
    steps = result.steps;
    heapMiB = Math.max(heapMiB, process.memoryUsage().heapUsed / 2 ** 20);

    await clearRecompute(db, workspaceId);
    const sqlStarted = performance.now();
    await recomputeScores(db, workspaceId);
    sqlSeconds.push((performance.now() - sqlStarted) / 1000);
    options.log(
      `  replay run ${run + 1}: replay ${replaySeconds.at(-1)?.toFixed(1)} s (${steps.toLocaleString('en')} facts), SQL ${sqlSeconds.at(-1)?.toFixed(1)} s`,
    );
  }
  options.log(`  SQL scores: ${JSON.stringify(await describeRecompute(db, workspaceId))}`);
  const agreement = await compareScores(db, workspaceId);
  if (agreement.mismatches > 0 || agreement.missing > 0 || agreement.quadrantMismatches > 0) {
    options.log(
      `  disagreeing contacts (sample): ${JSON.stringify(await sampleMismatches(db, workspaceId))}`,
    );
  }
  return {
    events: filled.events,
    contacts: filled.contacts,
    contactChanges: filled.contactChanges,
    touches: filled.touches,
    fillSeconds,
    replaySeconds,
    sqlSeconds,
    steps,
    heapMiB,
    agreement,
  };
}
