import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import type { IngestWriter } from '../ingest/ingest-writer.ts';
import type { AppEnv } from './app-env.ts';

/**
 * The HTTP side of `/metrics`: request latency per route template, method and status, and the
 * ingestion counters per workspace (the writer's own counters are process-wide). Everything is
 * kept per workspace so a workspace's admin can be shown its own series and nothing of another
 * workspace's; the operator view (SMARKETING_OPERATOR_TOKEN) adds them up.
 */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Histogram = { buckets: number[]; sum: number; count: number };
type IngestCounters = { stored: number; duplicates: number; dropped: Map<string, number> };

/** Workspace of a request made without a recognised key (public routes, refused calls). */
const noWorkspace = '';

export type RequestMetrics = ReturnType<typeof createRequestMetrics>;

export function createRequestMetrics() {
  // workspace → "route\u0000method\u0000status" → histogram
  const latency = new Map<string, Map<string, Histogram>>();
  const ingest = new Map<string, IngestCounters>();

  function countersOf(workspaceId: string): IngestCounters {
    let counters = ingest.get(workspaceId);
    if (!counters) {
      counters = { stored: 0, duplicates: 0, dropped: new Map() };
      ingest.set(workspaceId, counters);
    }
    return counters;
  }

  function observe(workspaceId: string, route: string, method: string, status: number, seconds: number) {
    let byKey = latency.get(workspaceId);
    if (!byKey) {
      byKey = new Map();
      latency.set(workspaceId, byKey);
    }
    const key = `${route}\u0000${method}\u0000${status}`;
    let histogram = byKey.get(key);
    if (!histogram) {
      histogram = { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 };
      byKey.set(key, histogram);
    }
    for (const [index, bound] of latencyBuckets.entries()) {
      if (seconds <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    }
    histogram.sum += seconds;
    histogram.count += 1;
  }

  return {
    /** Times every request; the label is the route template (`/api/v1/contacts/{id}`), never the raw path. */
    middleware: createMiddleware<AppEnv>(async (c, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const template = routePath(c);
        const route =
          template === '' || template.includes('*')
            ? c.res.status === 404
              ? 'unmatched'
              : 'static'
            : template;
        observe(
          c.get('principal')?.workspaceId ?? noWorkspace,
          route.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
          c.req.method,
          c.res.status,
          (performance.now() - started) / 1000,
        );
      }
    }),

    /** The writer, counting what each workspace's submissions stored, repeated and dropped. */
    countIngest(writer: IngestWriter): IngestWriter {
      return {
        ...writer,
        async submit(submission) {
          const result = await writer.submit(submission);
          const counters = countersOf(submission.workspaceId);
          for (const stored of result.stored) {
            if (stored) counters.stored += 1;
            else counters.duplicates += 1;
          }
          for (const drop of submission.drops) {
            counters.dropped.set(drop.reason, (counters.dropped.get(drop.reason) ?? 0) + 1);
          }
          return result;
        },
        close: () => writer.close(),
        stats: () => writer.stats(),
      };
    },

    /** Lines of the latency histogram, of one workspace or (undefined) of every request. */
    latencyLines(workspaceId: string | undefined): string[] {
      const merged = new Map<string, Histogram>();
      for (const [owner, byKey] of latency) {
        if (workspaceId !== undefined && owner !== workspaceId) continue;
        for (const [key, histogram] of byKey) {
          const into = merged.get(key) ?? { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 };
          histogram.buckets.forEach((count, index) => {
            into.buckets[index] = (into.buckets[index] ?? 0) + count;
          });
          into.sum += histogram.sum;
          into.count += histogram.count;
          merged.set(key, into);
        }
      }
      const lines = [
        '# HELP smarketing_http_request_duration_seconds Time to answer an HTTP request, by route template, method and status.',
        '# TYPE smarketing_http_request_duration_seconds histogram',
      ];
      for (const [key, histogram] of [...merged].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const [route, method, status] = key.split('\u0000');
        const labels = `route="${escapeLabel(route ?? '')}",method="${method}",status="${status}"`;
        latencyBuckets.forEach((bound, index) => {
          lines.push(
            `smarketing_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.buckets[index] ?? 0}`,
          );
        });
        lines.push(`smarketing_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
        lines.push(`smarketing_http_request_duration_seconds_sum{${labels}} ${round(histogram.sum)}`);
        lines.push(`smarketing_http_request_duration_seconds_count{${labels}} ${histogram.count}`);
      }
      return lines;
    },

    /** One workspace's ingestion counters. */
    ingestOf(workspaceId: string): {
      stored: number;
      duplicates: number;
      droppedByReason: Record<string, number>;
    } {
      const counters = ingest.get(workspaceId);
      return {
        stored: counters?.stored ?? 0,
        duplicates: counters?.duplicates ?? 0,
        droppedByReason: Object.fromEntries([...(counters?.dropped ?? new Map<string, number>())].sort()),
      };
    },
  };
}

/** A label value as the exposition format wants it: backslash, quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
