import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../app-env.ts';
import { requirePermission } from '../auth.ts';

/**
 * Prometheus text exposition of this process's counters. Needs an API key allowed to read
 * metrics (Prometheus sends it with `authorization: { credentials: … }`).
 */
export function metricsRoutes(deps: Pick<Deps, 'ingest'>, state: { startedAt: Date }) {
  return new OpenAPIHono<AppEnv>().get('/metrics', requirePermission('metrics:read'), (c) => {
    const stats = deps.ingest.stats();
    const lines = [
      '# HELP smarketing_ingest_stored_messages_total Segment messages stored.',
      '# TYPE smarketing_ingest_stored_messages_total counter',
      `smarketing_ingest_stored_messages_total ${stats.storedMessages}`,
      '# HELP smarketing_ingest_duplicate_messages_total Messages already stored (retries), not stored again.',
      '# TYPE smarketing_ingest_duplicate_messages_total counter',
      `smarketing_ingest_duplicate_messages_total ${stats.duplicateMessages}`,
      '# HELP smarketing_ingest_dropped_messages_total Messages dropped by the pipeline, by reason.',
      '# TYPE smarketing_ingest_dropped_messages_total counter',
      ...Object.entries(stats.droppedByReason).map(
        ([reason, count]) => `smarketing_ingest_dropped_messages_total{reason="${reason}"} ${count}`,
      ),
      '# HELP smarketing_ingest_batches_total Ingest transactions committed.',
      '# TYPE smarketing_ingest_batches_total counter',
      `smarketing_ingest_batches_total ${stats.batches}`,
      '# HELP smarketing_ingest_failed_batches_total Ingest transactions that failed (their requests got 503).',
      '# TYPE smarketing_ingest_failed_batches_total counter',
      `smarketing_ingest_failed_batches_total ${stats.failedBatches}`,
      '# HELP smarketing_ingest_queued_messages Messages waiting for the writer.',
      '# TYPE smarketing_ingest_queued_messages gauge',
      `smarketing_ingest_queued_messages ${stats.queuedMessages}`,
      '# HELP smarketing_process_start_time_seconds When this process started.',
      '# TYPE smarketing_process_start_time_seconds gauge',
      `smarketing_process_start_time_seconds ${Math.floor(state.startedAt.getTime() / 1000)}`,
      '',
    ];
    return c.body(lines.join('\n'), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
