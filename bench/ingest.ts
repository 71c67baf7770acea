import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import { normalizeSegmentMessage } from '@smarketing/core';
import { Hono } from 'hono';
import type { Database } from '../packages/server/src/db/client.ts';
import type { Deps } from '../packages/server/src/deps.ts';
import { createApp } from '../packages/server/src/http/app.ts';
import { createSpoolWriter } from '../packages/server/src/ingest/spool-writer.ts';
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

async function benchDatabase(label: string, database: Database, folder: string) {
  const deps = await benchDeps(database);
  const spool = await createSpoolWriter(deps, { dir: join(folder, `spool-${label.replace(/\W+/g, '-')}`) });
  const workspace = await createWorkspace({ name: `Bench ${Date.now()}`, createdBy: 'bench' }, deps);
  const app = (ingest: Deps['ingest']) =>
    createApp({ ...deps, ingest }, { version: 'bench', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' })
      .app;
  const targets = [
    { ack: 'commit', server: await listen(app(deps.ingest).fetch), caughtUp: async () => {} },
    { ack: 'spool', server: await listen(app(spool).fetch), caughtUp: () => spool.caughtUp() },
  ];
  const baseline = await listen(baselineApp(false).fetch);
  const validating = await listen(baselineApp(true).fetch);
  const token = workspace.adminToken;

  const rows: string[] = [];
  for (const scenario of scenarios) {
    const warm = { ...scenario, lanes: 2 };
    // Warm up every server, then alternate so drift and noise hit all alike.
    await load(baseline.url, token, warm, `warm-b-${scenario.eventsPerRequest}`);
    await load(validating.url, token, warm, `warm-v-${scenario.eventsPerRequest}`);
    for (const target of targets) {
      await load(target.server.url, token, warm, `warm-${target.ack}-${label}-${scenario.eventsPerRequest}`);
      await target.caughtUp();
    }
    const base: Measurement[] = [];
    const checked: Measurement[] = [];
    const ours = new Map(
      targets.map((target) => [target.ack, [] as (Measurement & { sustained: number })[]]),
    );
    for (let run = 0; run < runs; run++) {
      base.push(await load(baseline.url, token, scenario, `b-${run}`));
      checked.push(await load(validating.url, token, scenario, `v-${run}`));
      for (const target of targets) {
        const started = performance.now();
        const measured = await load(
          target.server.url,
          token,
          scenario,
          `${target.ack}-${label}-${scenario.eventsPerRequest}-${run}`,
        );
        await target.caughtUp();
        const stored = measured.eventsPerSecond * seconds;
        ours
          .get(target.ack)
          ?.push({ ...measured, sustained: stored / ((performance.now() - started) / 1000) });
      }
    }
    const baseRate = median(base.map((m) => m.eventsPerSecond));
    const checkedRate = median(checked.map((m) => m.eventsPerSecond));
    const latency = (list: Measurement[]) =>
      `${median(list.map((m) => m.p50)).toFixed(1)} / ${median(list.map((m) => m.p99)).toFixed(1)}`;
    for (const target of targets) {
      const list = ours.get(target.ack) ?? [];
      const rate = median(list.map((m) => m.eventsPerSecond));
      rows.push(
        `| ${label} | ${scenario.name} | ${target.ack} | ${formatRate(rate)} | ${latency(list)} | ${formatRate(median(list.map((m) => m.sustained)))} | ${formatRate(baseRate)} | ${latency(base)} | ${(rate / baseRate).toFixed(2)}× | ${formatRate(checkedRate)} | ${(rate / checkedRate).toFixed(2)}× | ${list.reduce((sum, m) => sum + m.failed, 0)} |`,
      );
    }
  }
  for (const target of targets) await target.server.close();
  await baseline.close();
  await validating.close();
  await spool.close();
  await deps.ingest.close();
  return rows;
}

const header = [
  '| database | load | acknowledged on | acknowledged events/s | p50 / p99 ms | stored events/s incl. catch-up | parse-and-discard events/s | its p50 / p99 ms | ratio | parse+validate-and-discard events/s | ratio | failed requests |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const rows = await onEachDatabase(benchDatabase);

console.log(
  `\nIngestion with durable acknowledgement vs parse-and-discard (median of ${runs} runs × ${seconds} s)\n`,
);
console.log([...header, ...rows].join('\n'));
