import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import type { Deps } from '../../packages/server/src/deps.ts';
import { createApp } from '../../packages/server/src/http/app.ts';
import { startEngineWorker } from '../../packages/server/src/jobs/engine-worker.ts';
import { startNotifier } from '../../packages/server/src/notify/start-notifier.ts';
import { createWorkspace } from '../../packages/server/src/use-cases/workspaces/create-workspace.ts';
import { median, percentile } from './stats.ts';

/**
 * Event-to-notification latency under sustained load: the real HTTP app, engine worker and
 * notifier in this process, a webhook receiver in this process, and a fixed-rate load generator
 * on a worker thread. Latency = webhook receipt − send time of the batch that carried the lead.
 */

export type LatencyOptions = {
  seconds: number;
  runs: number;
  requestsPerSecond: number;
  eventsPerRequest: number;
  hotPerSecond: number;
  pollMs: number;
  visitors: number;
  maxInFlight: number;
};

export type LatencyRun = {
  eventsPerSecond: number;
  acknowledgedShare: number;
  failed: number;
  late: number;
  ackP50: number;
  ackP99: number;
  p50: number;
  p99: number;
  max: number;
  received: number;
  expected: number;
  /** Facts stored but not processed when the load stopped, and how long the engine took to finish them. */
  lagFacts: number;
  lagSeconds: number;
};

type LoadResult = {
  sentRequests: number;
  acknowledgedRequests: number;
  acknowledgedEvents: number;
  failed: number;
  late: number;
  ackLatencies: number[];
  hot: { email: string; sentAt: number; acknowledged: boolean }[];
  sendingSeconds: number;
  seconds: number;
};

function runLoad(workerData: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker-engine.mjs', import.meta.url), { workerData });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureLatency(deps: Deps, options: LatencyOptions): Promise<LatencyRun[]> {
  const workspace = await createWorkspace({ name: `Engine latency ${Date.now()}`, createdBy: 'bench' }, deps);
  const workspaceId = workspace.workspaceId;

  // The webhook receiver: when each hot lead's notification arrived.
  const arrivals = new Map<string, number>();
  const kinds = new Map<string, number>();
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const at = Date.now();
      const message = JSON.parse(body) as { kind: string; data: { contact?: { email?: string | null } } };
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
      const email = message.data.contact?.email;
      if (message.kind === 'hot-lead-routed' && email && !arrivals.has(email)) arrivals.set(email, at);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const http = createApp(deps, {
    version: 'bench',
    maxBodyBytes: 1 << 20,
    webDistDir: '/nonexistent',
    webhookAllowPrivate: true,
  });
  const server = serve({ fetch: http.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = await fetch(`${base}/api/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${workspace.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiverUrl, format: 'json' }),
  });
  if (created.status !== 201)
    throw new Error(`webhook not created: ${created.status} ${await created.text()}`);

  const notifier = startNotifier({ allowPrivateUrls: true }, { ...deps, fetch });
  const engine = startEngineWorker(
    { pollMs: options.pollMs, tickMs: 15_000, onNotifications: () => notifier.wake() },
    deps,
  );

  const pending = async () => {
    const cursor = (await deps.repos.engine.findCursor(workspaceId))?.cursor ?? 0;
    return deps.repos.engine.countPending(workspaceId, cursor);
  };
  const authorization = `Basic ${Buffer.from(`${workspace.adminToken}:`).toString('base64')}`;

  const once = async (runId: string, seconds: number): Promise<LatencyRun> => {
    const load = await runLoad({
      url: base,
      authorization,
      requestsPerSecond: options.requestsPerSecond,
      eventsPerRequest: options.eventsPerRequest,
      hotPerSecond: options.hotPerSecond,
      durationMs: seconds * 1000,
      runId,
      visitors: options.visitors,
      maxInFlight: options.maxInFlight,
    });
    const stoppedAt = performance.now();
    const lagFacts = await pending();
    let caughtUp = lagFacts === 0;
    while (!caughtUp && performance.now() - stoppedAt < 600_000) {
      await sleep(20);
      caughtUp = (await pending()) === 0;
    }
    const lagSeconds = (performance.now() - stoppedAt) / 1000;
    const expected = load.hot.filter((lead) => lead.acknowledged);
    // Deliveries follow the engine: give them up to 30 s after it caught up.
    const deadline = performance.now() + 30_000;
    while (expected.some((lead) => !arrivals.has(lead.email)) && performance.now() < deadline)
      await sleep(20);
    const latencies = expected.flatMap((lead) => {
      const at = arrivals.get(lead.email);
      return at === undefined ? [] : [at - lead.sentAt];
    });
    return {
      eventsPerSecond: load.acknowledgedEvents / load.sendingSeconds,
      acknowledgedShare: load.sentRequests === 0 ? 0 : load.acknowledgedRequests / load.sentRequests,
      failed: load.failed,
      late: load.late,
      ackP50: percentile(load.ackLatencies, 50),
      ackP99: percentile(load.ackLatencies, 99),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      received: latencies.length,
      expected: expected.length,
      lagFacts,
      lagSeconds: caughtUp ? lagSeconds : Number.POSITIVE_INFINITY,
    };
  };

  const results: LatencyRun[] = [];
  try {
    await once(`warm-${Date.now()}`, 3);
    for (let run = 0; run < options.runs; run++) {
      const result = await once(`run${run}-${Date.now()}`, options.seconds);
      console.error(
        `  latency run ${run + 1}: ${result.eventsPerSecond.toFixed(0)} events/s acknowledged, p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, ${result.received}/${result.expected} notified, lag ${result.lagFacts} facts / ${result.lagSeconds.toFixed(1)} s`,
      );
      results.push(result);
    }
  } finally {
    await engine.stop();
    await notifier.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ('closeAllConnections' in server) server.closeAllConnections();
    await closed;
    const receiverClosed = new Promise<void>((resolve) => receiver.close(() => resolve()));
    receiver.closeAllConnections();
    await receiverClosed;
  }
  console.error(`  notifications received by kind: ${JSON.stringify(Object.fromEntries(kinds))}`);
  return results;
}

/** The median run, field by field. */
export function summarizeLatency(runs: LatencyRun[]) {
  const of = (pick: (run: LatencyRun) => number) => median(runs.map(pick));
  return {
    eventsPerSecond: of((run) => run.eventsPerSecond),
    acknowledgedShare: of((run) => run.acknowledgedShare),
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    late: runs.reduce((sum, run) => sum + run.late, 0),
    ackP50: of((run) => run.ackP50),
    ackP99: of((run) => run.ackP99),
    p50: of((run) => run.p50),
    p99: of((run) => run.p99),
    max: Math.max(...runs.map((run) => run.max)),
    received: runs.reduce((sum, run) => sum + run.received, 0),
    expected: runs.reduce((sum, run) => sum + run.expected, 0),
    lagFacts: of((run) => run.lagFacts),
    lagSeconds: of((run) => run.lagSeconds),
  };
}
