import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import {
  collectWorkspaceGauges,
  type WorkspaceMetrics,
} from '../../use-cases/metrics/collect-workspace-gauges.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { authenticate, requirePermission } from '../auth.ts';
import { escapeLabel, type RequestMetrics } from '../metrics.ts';
import { isOperatorToken } from '../operator-auth.ts';

/**
 * Prometheus text exposition (docs/OPERATIONS.md lists every series). Two views:
 *
 * - the operator token (SMARKETING_OPERATOR_TOKEN) reads the whole process: the ingest writer's
 *   counters and queue, every workspace's SLA and engine figures (label `workspace`), request
 *   latency over all requests, memory;
 * - an API key or session allowed `metrics:read` (admins, managers) reads its own workspace only:
 *   what its own submissions stored, repeated and dropped, its SLA and engine figures, the latency
 *   of its own requests. Nothing of another workspace, nor the process-wide totals.
 */
export function metricsRoutes(
  deps: Pick<Deps, 'ingest' | 'repos' | 'clock' | 'log'>,
  state: { startedAt: Date; requestMetrics: RequestMetrics; operatorToken?: string | undefined },
) {
  const keyAuth = authenticate(deps);
  const permission = requirePermission('metrics:read');
  return new OpenAPIHono<AppEnv>().get(
    '/metrics',
    async (c, next) => {
      if (isOperatorToken(c.req.header('authorization'), state.operatorToken)) {
        await next();
        return;
      }
      await keyAuth(c, async () => {
        await permission(c, next);
      });
    },
    async (c) => {
      const principal = c.get('principal');
      const lines = principal ? await workspaceView(getPrincipal(c).workspaceId) : await operatorView();
      return c.body(`${lines.join('\n')}\n`, 200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      });
    },
  );

  async function workspaceView(workspaceId: string): Promise<string[]> {
    const ingest = state.requestMetrics.ingestOf(workspaceId);
    const [gauges] = await collectWorkspaceGauges({ workspaceId }, deps);
    return [
      ...counter(
        'smarketing_ingest_stored_messages_total',
        'Segment messages stored (since this process started).',
        ingest.stored,
      ),
      ...counter(
        'smarketing_ingest_duplicate_messages_total',
        'Messages already stored (retries), not stored again.',
        ingest.duplicates,
      ),
      ...droppedLines(ingest.droppedByReason),
      ...(gauges ? workspaceGaugeLines([gauges], false) : []),
      ...state.requestMetrics.latencyLines(workspaceId),
    ];
  }

  async function operatorView(): Promise<string[]> {
    const stats = deps.ingest.stats();
    const memory = process.memoryUsage();
    return [
      ...counter('smarketing_ingest_stored_messages_total', 'Segment messages stored.', stats.storedMessages),
      ...counter(
        'smarketing_ingest_duplicate_messages_total',
        'Messages already stored (retries), not stored again.',
        stats.duplicateMessages,
      ),
      ...droppedLines(stats.droppedByReason),
      ...counter('smarketing_ingest_batches_total', 'Ingest transactions committed.', stats.batches),
      ...counter(
        'smarketing_ingest_failed_batches_total',
        'Ingest transactions that failed (their requests got 503).',
        stats.failedBatches,
      ),
      ...gauge(
        'smarketing_ingest_queued_messages',
        'Messages waiting for the writer (the queue depth).',
        stats.queuedMessages,
      ),
      ...workspaceGaugeLines(await collectWorkspaceGauges({}, deps), true),
      ...state.requestMetrics.latencyLines(undefined),
      ...gauge('smarketing_process_resident_memory_bytes', 'Resident set size of this process.', memory.rss),
      ...gauge('smarketing_process_heap_used_bytes', 'V8 heap in use.', memory.heapUsed),
      ...gauge(
        'smarketing_process_start_time_seconds',
        'When this process started.',
        Math.floor(state.startedAt.getTime() / 1000),
      ),
    ];
  }
}

function counter(name: string, help: string, value: number): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`];
}

function gauge(name: string, help: string, value: number): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
}

function droppedLines(byReason: Record<string, number>): string[] {
  return [
    '# HELP smarketing_ingest_dropped_messages_total Messages dropped by the pipeline, by reason.',
    '# TYPE smarketing_ingest_dropped_messages_total counter',
    ...Object.entries(byReason).map(
      ([reason, count]) =>
        `smarketing_ingest_dropped_messages_total{reason="${escapeLabel(reason)}"} ${count}`,
    ),
  ];
}

function workspaceGaugeLines(rows: WorkspaceMetrics[], labelled: boolean): string[] {
  const series = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    value: (row: WorkspaceMetrics) => number,
  ) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...rows.map(
      (row) => `${name}${labelled ? `{workspace="${escapeLabel(row.slug)}"}` : ''} ${round(value(row))}`,
    ),
  ];
  return [
    ...series(
      'smarketing_sla_breaches_total',
      'counter',
      'SLA clocks that passed their deadline before the lead was worked.',
      (row) => row.slaBreaches,
    ),
    ...series('smarketing_sla_open_clocks', 'gauge', 'SLA clocks running now.', (row) => row.slaOpenClocks),
    ...series(
      'smarketing_engine_pending_facts',
      'gauge',
      'Stored facts the engine has not processed yet.',
      (row) => row.enginePendingFacts,
    ),
    ...series(
      'smarketing_engine_lag_seconds',
      'gauge',
      'Seconds since the engine last stored a batch while facts wait (0 when caught up).',
      (row) => row.engineLagSeconds,
    ),
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
