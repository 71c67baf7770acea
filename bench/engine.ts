import type { Database } from '../packages/server/src/db/client.ts';
import { benchDeps, onEachDatabase } from './lib/databases.ts';
import { type CostRun, type CostWorkspace, label, prepareCost, runCost } from './lib/engine-cost.ts';
import { measureLatency, summarizeLatency } from './lib/engine-latency.ts';
import { measureReplay, type ReplayResult } from './lib/engine-replay.ts';
import { formatRate, median } from './lib/stats.ts';

/**
 * The engine's three figures, on PGlite and on PostgreSQL:
 * 1. event-to-notification latency under a sustained 5,000 events/s (target p99 ≤ 1 s);
 * 2. the engine's cost per event with 10k and with millions of events stored (target: flat);
 * 3. a full replay against a hand-written SQL recompute of the same scores (target ≤ 1.5×),
 *    checking that both give the same scores.
 */

const list = (value: string | undefined) =>
  value === undefined || value.trim() === ''
    ? undefined
    : value.split(',').map((part) => Number(part.trim()));

const parts = new Set(
  (process.env.BENCH_ENGINE_PARTS ?? 'latency,cost,replay').split(',').map((p) => p.trim()),
);
const only = process.env.BENCH_ENGINE_DATABASES; // e.g. "postgres" to skip PGlite
const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const eventsPerSecond = Number(process.env.BENCH_ENGINE_RATE ?? 5_000);
const eventsPerRequest = 100;
const hotPerSecond = 5;
const pollMs = Number(process.env.BENCH_ENGINE_POLL_MS ?? 100); // SMARKETING_ENGINE_POLL_MS's default
const storedSizes = list(process.env.BENCH_ENGINE_STORED) ?? [10_000, 1_000_000, 10_000_000];
const pgliteCap = Number(process.env.BENCH_PGLITE_MAX_EVENTS ?? 1_000_000);
const newEvents = Number(process.env.BENCH_ENGINE_NEW_EVENTS ?? 10_000);
const replayEvents = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
const sameSpread = process.env.BENCH_ENGINE_SAME_SPREAD !== '0';
/** Runs at a size: BENCH_RUNS, but one at 10M events and more. */
const runsAt = (events: number) => (events >= 10_000_000 ? 1 : runs);

const latencyRows: string[] = [];
const costRows: string[] = [];
const replayRows: string[] = [];
const notes: string[] = [];
const log = (line: string) => console.error(line);

async function benchDatabase(name: string, database: Database): Promise<string[]> {
  const pglite = name.startsWith('PGlite');
  if (only !== undefined && !name.toLowerCase().includes(only.toLowerCase())) return [];
  const deps = await benchDeps(database);
  const cap = (sizes: number[]) => (pglite ? sizes.filter((size) => size <= pgliteCap) : sizes);
  try {
    if (parts.has('latency')) {
      log(`${name}: latency at ${eventsPerSecond} events/s for ${seconds} s × ${runs}`);
      const summary = summarizeLatency(
        await measureLatency(deps, {
          seconds,
          runs,
          requestsPerSecond: eventsPerSecond / eventsPerRequest,
          eventsPerRequest,
          hotPerSecond,
          pollMs,
          visitors: 20_000,
          maxInFlight: 256,
        }),
      );
      const target = summary.p99 <= 1_000 && summary.eventsPerSecond >= 0.98 * eventsPerSecond;
      latencyRows.push(
        `| ${name} | ${formatRate(eventsPerSecond)} events/s (${eventsPerSecond / eventsPerRequest} req/s × ${eventsPerRequest}, ${hotPerSecond} hot leads/s) × ${seconds} s | ${formatRate(summary.eventsPerSecond)} | ${(summary.acknowledgedShare * 100).toFixed(1)} % | ${summary.ackP50.toFixed(0)} / ${summary.ackP99.toFixed(0)} | ${summary.p50.toFixed(0)} / ${summary.p99.toFixed(0)} (max ${summary.max.toFixed(0)}) | ${summary.received} / ${summary.expected} | ${summary.lagFacts.toLocaleString('en')} facts, caught up in ${summary.lagSeconds.toFixed(1)} s | ${target ? 'met' : '**missed**'} |`,
      );
    }

    if (parts.has('cost')) {
      const sizes = cap(storedSizes);
      if (sizes.length < storedSizes.length)
        notes.push(
          `${name}: per-event cost measured at ${sizes.map(label).join(', ')} stored events only (BENCH_PGLITE_MAX_EVENTS=${pgliteCap}: PGlite inserts are ~10× slower; set it higher to measure more).`,
        );
      const prepared: CostWorkspace[] = [];
      for (const stored of sizes) {
        log(`${name}: engine cost with ${label(stored)} events stored`);
        prepared.push(await prepareCost(deps, { stored, log }));
      }
      // Runs alternate between the sizes, so the machine's noise hits them alike. Each bigger
      // size is also run with its new events drawn from as many contacts as the smallest size has
      // (BENCH_ENGINE_SAME_SPREAD, default on): the same work per batch (states loaded and
      // written) on a bigger history, which separates the cost of history from the workload's.
      const smallest = prepared[0];
      const results = prepared.flatMap((workspace) => [
        { ...workspace, active: workspace.contacts, runs: [] as CostRun[] },
        ...(sameSpread && smallest !== undefined && workspace.contacts > smallest.contacts
          ? [{ ...workspace, active: smallest.contacts, runs: [] as CostRun[] }]
          : []),
      ]);
      for (let run = 0; run < runs; run++) {
        for (const result of results) {
          if (run >= runsAt(result.stored)) continue;
          const measured = await runCost(deps, result, newEvents, result.active);
          result.runs.push(measured);
          log(
            `  ${label(result.stored)} (events on ${label(result.active)} contacts) run ${run + 1}: ${measured.steps} facts in ${measured.seconds.toFixed(2)} s = ${measured.microsPerFact.toFixed(0)} µs/fact`,
          );
        }
      }
      const base = results[0];
      const baseFigure = base === undefined ? Number.NaN : median(base.runs.map((run) => run.microsPerFact));
      for (const result of results) {
        const perFact = median(result.runs.map((run) => run.microsPerFact));
        const perEvent = median(result.runs.map((run) => run.microsPerEvent));
        costRows.push(
          `| ${name} | ${label(result.stored)} (${label(result.contacts)} contacts) | ${label(result.active)} | ${result.fillSeconds.toFixed(0)} s | ${result.runs.length} | ${median(result.runs.map((run) => run.steps)).toLocaleString('en')} | ${perFact.toFixed(0)} | ${perEvent.toFixed(0)} | ${(perFact / baseFigure).toFixed(2)}× |`,
        );
      }
    }

    if (parts.has('replay')) {
      const events = pglite ? Math.min(replayEvents, pgliteCap) : replayEvents;
      if (events < replayEvents)
        notes.push(`${name}: replay measured at ${label(events)} events (BENCH_PGLITE_MAX_EVENTS).`);
      log(`${name}: replay of ${label(events)} events vs the SQL recompute`);
      const result: ReplayResult = await measureReplay(deps, { events, runs: runsAt(events), log });
      const replay = median(result.replaySeconds);
      const recompute = median(result.sqlSeconds);
      const check = result.agreement;
      replayRows.push(
        `| ${name} | ${label(result.events)} activities + ${label(result.contactChanges)} contact changes + ${label(result.touches)} touches (${label(result.contacts)} contacts) | ${result.replaySeconds.length} | ${replay.toFixed(1)} s (${formatRate(result.steps / replay)} facts/s) | ${recompute.toFixed(1)} s | ${(replay / recompute).toFixed(1)}× | ${check.compared.toLocaleString('en')} / ${check.contacts.toLocaleString('en')} | ${check.maxFitDifference.toFixed(2)} / ${check.maxInterestDifference.toFixed(2)} | ${check.mismatches} | ${check.gradeMismatches} / ${check.quadrantMismatches} | ${replay / recompute <= 1.5 ? 'met' : '**missed**'} |`,
      );
    }
  } finally {
    await deps.ingest.close();
  }
  return [];
}

await onEachDatabase(benchDatabase);

console.log(
  `\nEngine bench: BENCH_ENGINE_PARTS=${[...parts].join(',')} BENCH_RUNS=${runs} (1 at 10M events) BENCH_SECONDS=${seconds} BENCH_ENGINE_RATE=${eventsPerSecond} engine pollMs=${pollMs} BENCH_ENGINE_STORED=${storedSizes.join(',')} BENCH_ENGINE_NEW_EVENTS=${newEvents} BENCH_ENGINE_SAME_SPREAD=${sameSpread ? 1 : 0} BENCH_REPLAY_EVENTS=${replayEvents} BENCH_PGLITE_MAX_EVENTS=${pgliteCap}`,
);
if (latencyRows.length > 0) {
  console.log(
    `\n### Event-to-notification latency (median of ${runs} runs × ${seconds} s; target p99 ≤ 1 s at 5,000 events/s)\n`,
  );
  console.log(
    [
      '| database | load | acknowledged events/s | requests acknowledged | ack p50 / p99 ms | event → webhook p50 / p99 ms | hot-lead notifications received / expected | engine lag when the load stopped | target |',
      '|---|---|---|---|---|---|---|---|---|',
      ...latencyRows,
    ].join('\n'),
  );
}
if (costRows.length > 0) {
  console.log(
    `\n### Engine cost per event by events stored (${newEvents.toLocaleString('en')} new events per run, median of ${runs} runs, 1 at 10M; target: flat)\n`,
  );
  console.log(
    [
      '| database | events stored | existing contacts the new events go to | fill | runs | facts per run | µs per fact | µs per new event | vs 10k |',
      '|---|---|---|---|---|---|---|---|---|',
      ...costRows,
    ].join('\n'),
  );
}
if (replayRows.length > 0) {
  console.log(
    `\n### Full replay vs a hand-written SQL recompute of the same scores (median of ${runs} runs, 1 at 10M; target ≤ 1.5×)\n`,
  );
  console.log(
    [
      '| database | facts | runs | replayEngine | SQL recompute | replay / SQL | contacts compared / scored | max Δ fit / interest | mismatches > 0.05 | grade / quadrant mismatches | target |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...replayRows,
    ].join('\n'),
  );
  console.log(
    '\n10M events: `NODE_OPTIONS=--max-old-space-size=12000 BENCH_ENGINE_PARTS=replay BENCH_REPLAY_EVENTS=10000000 BENCH_ENGINE_DATABASES=postgres npm run bench:engine`',
  );
}
for (const note of notes) console.log(`\n${note}`);
