import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Database, driverOf, openDatabase } from '../packages/server/src/db/client.ts';
import { createLogger } from '../packages/server/src/log.ts';
import { assembleDeps } from '../packages/server/src/runtime.ts';
import { replayEngine } from '../packages/server/src/use-cases/engine/replay-engine.ts';
import { startThrowawayPostgres } from '../packages/server/test/postgres-global-setup.ts';
import { type ServerProcess, startServerProcess } from '../packages/server/test/server-process.ts';
import { percentile } from './lib/stats.ts';

/**
 * The soak (docs/OPERATIONS.md, figures in docs/BENCHMARKS.md): the real server process over a
 * throwaway PostgreSQL cluster of its own, on loopback only. Senders post Segment batches with
 * messageIds to /v1/batch without pause, retrying a batch until it is acknowledged (a retry of a
 * stored batch is answered as duplicates); a reader asks for the funnel report. Every `sampleEvery`
 * the server's memory (from /metrics) and the latencies are sampled. A third of the way in,
 * PostgreSQL is restarted; two thirds in, the server is killed (SIGKILL) and started again. At the
 * end: every acknowledged event is stored exactly once, and the engine's derived state equals a
 * replay of the stored facts.
 *
 *   npm run bench:soak                      # 10 minutes
 *   npm run bench:soak -- --minutes 2 --sample-seconds 10 --senders 4 --batch 50
 */

const run = promisify(execFile);

export type SoakOptions = {
  durationMs: number;
  sampleEveryMs: number;
  senders: number;
  batchSize: number;
  /** PostgreSQL with fsync (a benchmark) or without (a test). */
  durable: boolean;
  log: (line: string) => void;
};

export type SoakSample = {
  atSeconds: number;
  acknowledged: number;
  rssMb: number;
  heapMb: number;
  ingestP50Ms: number;
  ingestP99Ms: number;
  reportP50Ms: number;
  queued: number;
  enginePending: number;
};

export type SoakResult = {
  seconds: number;
  batchesAcknowledged: number;
  eventsSent: number;
  eventsAcknowledged: number;
  eventsStored: number;
  duplicatesStored: number;
  missing: number;
  storedNotAcknowledged: number;
  retries: Record<string, number>;
  ingestLatencyMs: { p50: number; p95: number; p99: number; max: number };
  reportLatencyMs: { p50: number; p95: number; p99: number; max: number };
  reportsAnswered: number;
  reportsFailed: number;
  faults: { name: string; atSeconds: number; recoveredInSeconds: number }[];
  samples: SoakSample[];
  replayEqualsLive: boolean;
  derivedRows: number;
};

type Sent = { ids: string[]; body: string };

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const cluster = await startThrowawayPostgres({ durable: options.durable });
  if (!cluster) throw new Error('The soak needs PostgreSQL server binaries (initdb, pg_ctl).');
  const operatorToken = randomBytes(32).toString('hex');
  const env = {
    DATABASE_URL: cluster.url,
    SMARKETING_OPERATOR_TOKEN: operatorToken,
    SMARKETING_RATE_LIMIT_INGEST_PER_MINUTE: '0',
    SMARKETING_RATE_LIMIT_API_PER_MINUTE: '0',
    SMARKETING_SHUTDOWN_TIMEOUT_MS: '2000',
  };
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  let server: ServerProcess | undefined;
  let database: Database | undefined;
  try {
    let expectedExit = false;
    const watch = (process: ServerProcess) => {
      process.child.once('exit', (code, signal) => {
        if (!expectedExit) {
          options.log(`  the server exited by itself (${code ?? signal}):\n${process.output().slice(-4000)}`);
        }
      });
      return process;
    };
    server = watch(await startServerProcess(env));
    const admin = server.adminToken;
    if (!admin) throw new Error(`The first start printed no admin token:\n${server.output()}`);
    const current = { url: server.url };
    const keyAnswer = await fetch(`${current.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'soak', role: 'ingest' }),
    });
    const ingestToken = ((await keyAnswer.json()) as { token: string }).token;
    const runId = `soak-${randomBytes(4).toString('hex')}`;

    let stopping = false;
    const acknowledged = new Set<string>();
    const sentIds = new Set<string>();
    const retries: Record<string, number> = {};
    const ingestLatencies: number[] = [];
    const reportLatencies: number[] = [];
    let windowIngest: number[] = [];
    let windowReport: number[] = [];
    let batchesAcknowledged = 0;
    let reportsFailed = 0;
    const countRetry = (cause: string) => {
      retries[cause] = (retries[cause] ?? 0) + 1;
    };

    const batchOf = (sender: number, n: number): Sent => {
      const ids: string[] = [];
      const batch = Array.from({ length: options.batchSize }, (_, index) => {
        const messageId = `${runId}-${sender}-${n}-${index}`;
        ids.push(messageId);
        const visitor = (sender * 7919 + n * 31 + index) % 3000;
        const timestamp = new Date().toISOString();
        if (index % 10 === 0) {
          return {
            type: 'identify',
            messageId,
            anonymousId: `anon-${visitor}`,
            userId: `user-${visitor % 1500}`,
            traits: { email: `person${visitor % 1500}@soak${visitor % 40}.example`, title: 'VP Sales' },
            timestamp,
          };
        }
        if (index % 3 === 0) {
          return { type: 'page', messageId, anonymousId: `anon-${visitor}`, name: 'Pricing', timestamp };
        }
        return {
          type: 'track',
          messageId,
          anonymousId: `anon-${visitor}`,
          event: index % 7 === 0 ? 'Demo Requested' : 'Webinar Attended',
          properties: { n },
          timestamp,
        };
      });
      return { ids, body: JSON.stringify({ batch }) };
    };

    /** Sends one batch until it is acknowledged (or the run is over and the server gone). */
    const deliver = async (sent: Sent) => {
      for (;;) {
        const began = performance.now();
        try {
          const response = await fetch(`${current.url}/v1/batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
            body: sent.body,
            signal: AbortSignal.timeout(15_000),
          });
          if (response.status === 200) {
            const answer = (await response.json()) as { dropped: { messageId?: string }[] };
            const ms = performance.now() - began;
            ingestLatencies.push(ms);
            windowIngest.push(ms);
            const dropped = new Set(answer.dropped.map((drop) => drop.messageId));
            for (const id of sent.ids) if (!dropped.has(id)) acknowledged.add(id);
            batchesAcknowledged += 1;
            return;
          }
          await response.body?.cancel();
          countRetry(`HTTP ${response.status}`);
          const after = Number(response.headers.get('retry-after') ?? '1');
          await sleep(Math.min(Math.max(after, 0.1), 2) * 1000);
        } catch (error) {
          countRetry(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection');
          await sleep(200);
        }
      }
    };

    const senders = Array.from({ length: options.senders }, async (_, sender) => {
      for (let n = 0; !stopping; n += 1) {
        const sent = batchOf(sender, n);
        for (const id of sent.ids) sentIds.add(id);
        await deliver(sent);
      }
    });

    const reader = (async () => {
      while (!stopping) {
        const began = performance.now();
        try {
          const today = new Date();
          const month = today.toISOString().slice(0, 7);
          const next = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1))
            .toISOString()
            .slice(0, 7);
          const response = await fetch(`${current.url}/api/v1/reports/funnel?from=${month}&to=${next}`, {
            headers: { authorization: `Bearer ${admin}` },
            signal: AbortSignal.timeout(15_000),
          });
          await response.arrayBuffer();
          if (response.ok) {
            const ms = performance.now() - began;
            reportLatencies.push(ms);
            windowReport.push(ms);
          } else reportsFailed += 1;
        } catch {
          reportsFailed += 1;
        }
        await sleep(500);
      }
    })();

    const samples: SoakSample[] = [];
    const metricsOf = async () => {
      const text = await fetch(`${current.url}/metrics`, {
        headers: { authorization: `Bearer ${operatorToken}` },
        signal: AbortSignal.timeout(10_000),
      }).then((response) => response.text());
      const value = (name: string) =>
        [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        );
      return {
        rss: value('smarketing_process_resident_memory_bytes'),
        heap: value('smarketing_process_heap_used_bytes'),
        queued: value('smarketing_ingest_queued_messages'),
        pending: value('smarketing_engine_pending_facts'),
      };
    };
    const sample = async () => {
      const metrics = await metricsOf().catch(() => undefined);
      const entry: SoakSample = {
        atSeconds: Math.round(elapsed()),
        acknowledged: acknowledged.size,
        rssMb: metrics ? Math.round(metrics.rss / 1e5) / 10 : Number.NaN,
        heapMb: metrics ? Math.round(metrics.heap / 1e5) / 10 : Number.NaN,
        ingestP50Ms: round(percentile(windowIngest, 50)),
        ingestP99Ms: round(percentile(windowIngest, 99)),
        reportP50Ms: round(percentile(windowReport, 50)),
        queued: metrics?.queued ?? Number.NaN,
        enginePending: metrics?.pending ?? Number.NaN,
      };
      windowIngest = [];
      windowReport = [];
      samples.push(entry);
      options.log(
        `  ${String(entry.atSeconds).padStart(5)} s  acked ${String(entry.acknowledged).padStart(8)}  rss ${entry.rssMb} MB  heap ${entry.heapMb} MB  ingest p50 ${entry.ingestP50Ms} ms p99 ${entry.ingestP99Ms} ms  report p50 ${entry.reportP50Ms} ms  queue ${entry.queued}  engine pending ${entry.enginePending}`,
      );
    };
    const sampler = setInterval(() => void sample(), options.sampleEveryMs);

    const faults: SoakResult['faults'] = [];
    const untilAcknowledgedGrows = async () => {
      const before = acknowledged.size;
      const deadline = Date.now() + 120_000;
      while (acknowledged.size <= before && Date.now() < deadline) await sleep(100);
    };

    await sleep(options.durationMs / 3);
    {
      const at = elapsed();
      options.log(`  ${Math.round(at)} s: restarting PostgreSQL (pg_ctl restart -m fast)`);
      await restartPostgres(cluster.url);
      await untilAcknowledgedGrows();
      faults.push({
        name: 'PostgreSQL restarted',
        atSeconds: round(at),
        recoveredInSeconds: round(elapsed() - at),
      });
    }
    await sleep(Math.max(0, started + (2 * options.durationMs) / 3 - Date.now()));
    {
      const at = elapsed();
      options.log(`  ${Math.round(at)} s: killing the server (SIGKILL) and starting it again`);
      expectedExit = true;
      await server.stop('SIGKILL');
      expectedExit = false;
      server = watch(await startServerProcess(env));
      current.url = server.url;
      await untilAcknowledgedGrows();
      faults.push({
        name: 'server killed and restarted',
        atSeconds: round(at),
        recoveredInSeconds: round(elapsed() - at),
      });
    }
    await sleep(Math.max(0, started + options.durationMs - Date.now()));
    stopping = true;
    await Promise.all([...senders, reader]);
    clearInterval(sampler);
    await sample();
    const seconds = elapsed();

    // The engine catches up with what was stored.
    const deadline = Date.now() + 300_000;
    for (;;) {
      const metrics = await metricsOf();
      if (metrics.pending === 0) break;
      if (Date.now() > deadline) throw new Error(`The engine still has ${metrics.pending} facts pending.`);
      await sleep(500);
    }
    expectedExit = true;
    await server.stop('SIGTERM');
    server = undefined;

    const opened = await openDatabase({ databaseUrl: cluster.url, poolSize: 2 });
    database = opened;
    const query = <T>(text: string, values: unknown[] = []) => queryRows<T>(opened, text, values);
    const stored = await query<{ id: string; n: string }>(
      `select message_id as id, count(*)::text as n from activities
        where message_id like $1 group by message_id`,
      [`${runId}-%`],
    );
    const counts = new Map(stored.map((row) => [row.id, Number(row.n)]));
    let missing = 0;
    for (const id of acknowledged) if (!counts.has(id)) missing += 1;
    const storedNotAcknowledged = [...counts.keys()].filter((id) => !acknowledged.has(id)).length;
    const duplicatesStored = [...counts.values()].reduce((sum, n) => sum + (n - 1), 0);

    // Derived state as live processing left it, then as a replay of the facts rebuilds it.
    const [workspace] = await query<{ id: string }>('select id from workspaces limit 1');
    if (!workspace) throw new Error('No workspace.');
    const derivedDigest = async () => {
      const digest: Record<string, string> = {};
      for (const table of [
        'contact_states',
        'scores',
        'assignments',
        'sla_clocks',
        'engine_alerts',
        'stage_transitions',
        'account_owners',
      ]) {
        // Whole rows, the engine's `state` document included (it no longer caches anything that
        // depends on when it was asked, so live and replay store the same document).
        const rowText = 't::text';
        const [row] = await query<{ d: string }>(
          `select count(*)::text || ' ' || md5(coalesce(string_agg(${rowText}, '|' order by ${rowText} collate "C"), '')) as d
             from ${table} t where workspace_id = $1`,
          [workspace.id],
        );
        digest[table] = row?.d ?? '';
      }
      return digest;
    };
    const live = await derivedDigest();
    await replayEngine(assembleDeps(opened, createLogger('silent')), { workspaceId: workspace.id });
    const replayed = await derivedDigest();
    const replayEqualsLive = JSON.stringify(live) === JSON.stringify(replayed);
    if (!replayEqualsLive)
      options.log(`  live ${JSON.stringify(live)}\n  replay ${JSON.stringify(replayed)}`);

    const summary = (values: number[]) => ({
      p50: round(percentile(values, 50)),
      p95: round(percentile(values, 95)),
      p99: round(percentile(values, 99)),
      max: round(values.reduce((max, value) => Math.max(max, value), 0)),
    });
    return {
      seconds: round(seconds),
      batchesAcknowledged,
      eventsSent: sentIds.size,
      eventsAcknowledged: acknowledged.size,
      eventsStored: counts.size,
      duplicatesStored,
      missing,
      storedNotAcknowledged,
      retries,
      ingestLatencyMs: summary(ingestLatencies),
      reportLatencyMs: summary(reportLatencies),
      reportsAnswered: reportLatencies.length,
      reportsFailed,
      faults,
      samples,
      replayEqualsLive,
      derivedRows: Object.values(live).reduce((sum, entry) => sum + Number(entry.split(' ')[0]), 0),
    };
  } finally {
    await server?.stop('SIGKILL');
    await database?.close();
    await cluster.stop();
  }
}

/** Restarts the cluster behind `url` with pg_ctl (as the `postgres` OS user when running as root). */
async function restartPostgres(url: string): Promise<void> {
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  let dataDir: string;
  try {
    const [row] = await queryRows<{ data_directory: string }>(admin, 'show data_directory', []);
    dataDir = row?.data_directory ?? '';
  } finally {
    await admin.close();
  }
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0]
    : undefined;
  const pgCtl = version ? join(root, version, 'bin', 'pg_ctl') : 'pg_ctl';
  // With its output in a log file: otherwise the new postmaster keeps pg_ctl's pipes open.
  const args = [
    'restart',
    '-D',
    dataDir,
    '-m',
    'fast',
    '-w',
    '-t',
    '60',
    '-l',
    join(dataDir, '..', 'restart.log'),
  ];
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', pgCtl, ...args]);
  else await run(pgCtl, args);
}

/** A query straight on the pool (the soak checks what is stored, beside the server's code). */
async function queryRows<T>(database: Database, text: string, values: unknown[]): Promise<T[]> {
  const driver = driverOf(database);
  if (driver.kind !== 'postgres') throw new Error('The soak runs on PostgreSQL.');
  return (await driver.pool.query(text, values)).rows as T[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10) / 10 : value;
}

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number.`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const options: SoakOptions = {
    durationMs: flag('minutes', 10) * 60_000,
    sampleEveryMs: flag('sample-seconds', 30) * 1000,
    senders: flag('senders', 4),
    batchSize: flag('batch', 50),
    durable: true,
    log: (line) => console.log(line),
  };
  console.log(
    `Soak: ${options.durationMs / 60_000} min, ${options.senders} senders × ${options.batchSize} events per batch, sample every ${options.sampleEveryMs / 1000} s, PostgreSQL (durable) on loopback.`,
  );
  const result = await runSoak(options);
  const { samples, ...figures } = result;
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    '\n| at (s) | events acknowledged | RSS (MB) | heap (MB) | ingest p50 / p99 (ms) | report p50 (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const entry of samples) {
    console.log(
      `| ${entry.atSeconds} | ${entry.acknowledged} | ${entry.rssMb} | ${entry.heapMb} | ${entry.ingestP50Ms} / ${entry.ingestP99Ms} | ${entry.reportP50Ms} |`,
    );
  }
  const ok = result.missing === 0 && result.duplicatesStored === 0 && result.replayEqualsLive;
  console.log(
    ok ? '\nEvery acknowledged event stored exactly once; replay equals live.' : '\nFAILED: see above.',
  );
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
