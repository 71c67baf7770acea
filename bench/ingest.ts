import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import { normalizeSegmentMessage } from '@smarketing/core';
import { Hono } from 'hono';
import type { Database } from '../packages/server/src/db/client.ts';
import { createApp } from '../packages/server/src/http/app.ts';
import { createWorkspace } from '../packages/server/src/use-cases/workspaces/create-workspace.ts';
import { benchDeps, onEachDatabase } from './lib/databases.ts';
import { formatRate, median, percentile } from './lib/stats.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const runs = Number(process.env.BENCH_RUNS ?? 3);

type Scenario = { name: string; eventsPerRequest: number; lanes: number };
const scenarios: Scenario[] = [
  { name: 'batched (100 events/request)', eventsPerRequest: 100, lanes: 8 },
  { name: 'single event per request', eventsPerRequest: 1, lanes: 64 },
];

type Measurement = { eventsPerSecond: number; p50: number; p99: number; failed: number };

function load(url: string, token: string, scenario: Scenario, runId: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./lib/load-worker.mjs', import.meta.url), {
      workerData: {
        url,
        authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}`,
        eventsPerRequest: scenario.eventsPerRequest,
        lanes: scenario.lanes,
        durationMs: seconds * 1000,
        runId,
      },
    });
    worker.once(
      'message',
      (result: { latencies: number[]; acknowledged: number; failed: number; seconds: number }) => {
        resolve({
          eventsPerSecond: result.acknowledged / result.seconds,
          p50: percentile(result.latencies, 50),
          p99: percentile(result.latencies, 99),
          failed: result.failed,
        });
        void worker.terminate();
      },
    );
    worker.once('error', reject);
  });
}

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The baselines: the same HTTP stack reading and parsing the same bodies, then discarding them;
 * with `validate`, also running every message through the Segment pipeline's validation and
 * normalisation (everything but storage).
 */
function baselineApp(validate: boolean) {
  const app = new Hono();
  const discard = async (request: Request, batch: boolean) => {
    const body = JSON.parse(await request.text()) as { batch?: unknown[]; sentAt?: unknown };
    const messages = batch ? (body.batch ?? []) : [body];
    let accepted = messages.length;
    if (validate) {
      const receivedAt = new Date();
      accepted = messages.filter(
        (message) =>
          normalizeSegmentMessage(message, {
            receivedAt,
            batchSentAt: body.sentAt,
            impliedType: 'track',
            byteLength: Buffer.byteLength(JSON.stringify(message)),
          }).ok,
      ).length;
    }
    return Response.json({ success: true, accepted, duplicates: 0, dropped: [] });
  };
  app.post('/v1/batch', (c) => discard(c.req.raw, true));
  app.post('/v1/track', (c) => discard(c.req.raw, false));
  return app;
}

async function benchDatabase(label: string, database: Database) {
  const deps = await benchDeps(database);
  const workspace = await createWorkspace({ name: `Bench ${Date.now()}`, createdBy: 'bench' }, deps);
  const real = await listen(
    createApp(deps, { version: 'bench', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' }).app.fetch,
  );
  const baseline = await listen(baselineApp(false).fetch);
  const validating = await listen(baselineApp(true).fetch);

  const rows: string[] = [];
  for (const scenario of scenarios) {
    // Warm up both, then alternate so drift and noise hit both alike.
    await load(
      baseline.url,
      workspace.adminToken,
      { ...scenario, lanes: 2 },
      `warm-b-${scenario.eventsPerRequest}`,
    );
    await load(
      validating.url,
      workspace.adminToken,
      { ...scenario, lanes: 2 },
      `warm-v-${scenario.eventsPerRequest}`,
    );
    await load(
      real.url,
      workspace.adminToken,
      { ...scenario, lanes: 2 },
      `warm-r-${label}-${scenario.eventsPerRequest}`,
    );
    const ours: Measurement[] = [];
    const base: Measurement[] = [];
    const checked: Measurement[] = [];
    for (let run = 0; run < runs; run++) {
      base.push(await load(baseline.url, workspace.adminToken, scenario, `b-${run}`));
      checked.push(await load(validating.url, workspace.adminToken, scenario, `v-${run}`));
      ours.push(
        await load(
          real.url,
          workspace.adminToken,
          scenario,
          `r-${label}-${scenario.eventsPerRequest}-${run}`,
        ),
      );
    }
    const oursRate = median(ours.map((m) => m.eventsPerSecond));
    const baseRate = median(base.map((m) => m.eventsPerSecond));
    const checkedRate = median(checked.map((m) => m.eventsPerSecond));
    const latency = (list: Measurement[]) =>
      `${median(list.map((m) => m.p50)).toFixed(1)} / ${median(list.map((m) => m.p99)).toFixed(1)}`;
    rows.push(
      `| ${label} | ${scenario.name} | ${formatRate(oursRate)} | ${latency(ours)} | ${formatRate(baseRate)} | ${latency(base)} | ${(oursRate / baseRate).toFixed(2)}× | ${formatRate(checkedRate)} | ${(oursRate / checkedRate).toFixed(2)}× | ${ours.reduce((sum, m) => sum + m.failed, 0)} |`,
    );
  }
  await real.close();
  await baseline.close();
  await validating.close();
  await deps.ingest.close();
  return rows;
}

const header = [
  '| database | load | stored events/s | p50 / p99 ms | parse-and-discard events/s | its p50 / p99 ms | ratio | parse+validate-and-discard events/s | ratio | failed requests |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
const rows = await onEachDatabase(benchDatabase);

console.log(
  `\nIngestion with durable acknowledgement vs parse-and-discard (median of ${runs} runs × ${seconds} s)\n`,
);
console.log([...header, ...rows].join('\n'));
