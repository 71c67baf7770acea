import type { Deps } from '../deps.ts';
import { recordDueTicks } from '../use-cases/engine/record-due-ticks.ts';
import {
  createEngineStateCache,
  type EngineStateCache,
  runEnginePipelined,
} from '../use-cases/engine/run-engine.ts';

export type EngineWorker = {
  /** Asks for a round now (after facts were stored), instead of at the next poll. */
  wake(): void;
  /** Stops and resolves once the round in flight (if any) has committed or rolled back. */
  stop(): Promise<void>;
};

export type EngineWorkerOptions = {
  /** How often to look for unprocessed facts when nothing woke the worker. */
  pollMs: number;
  /** How often the scheduler looks for timers that are due (deadlines, escalations, decay). */
  tickMs: number;
  /** Facts per transaction (default 500: small enough to keep requests and notifications flowing). */
  batchSize?: number;
  /**
   * Contact states kept in memory per workspace between rounds (default 50,000; 0 for none): a
   * contact active again soon is not read back from the database.
   */
  stateCacheSize?: number;
  /** Called after a round that queued notifications, so they go out at once. */
  onNotifications?: () => void;
};

/**
 * The engine's background loop in `smarketing serve`: it processes every workspace's new facts
 * as they are committed, and records a scheduler tick wherever a timer is due, so deadlines and
 * escalations fire on time even when no fact arrives. Its state lives in the database (each
 * workspace's cursor and each contact's next due time), so a restart resumes where it stopped,
 * and a tick missed while the server was down fires at the next one.
 */
export function startEngineWorker(
  options: EngineWorkerOptions,
  deps: Pick<Deps, 'database' | 'clock' | 'repos' | 'log'>,
): EngineWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let wanted = false;
  let lastTick = 0;
  const cacheSize = options.stateCacheSize ?? 50_000;
  const caches = new Map<string, EngineStateCache>();

  const schedule = (delayMs: number) => {
    if (stopped || inFlight !== undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = round().finally(() => {
        inFlight = undefined;
        const again = wanted;
        wanted = false;
        schedule(again ? 0 : options.pollMs);
      });
    }, delayMs);
    timer.unref();
  };

  const round = async () => {
    try {
      const now = deps.clock().getTime();
      if (now - lastTick >= options.tickMs) {
        lastTick = now;
        await recordDueTicks(deps, { at: new Date(now) });
      }
      for (const workspaceId of await deps.repos.engine.findWorkspacesBehind()) {
        let batches = 0;
        let cache = caches.get(workspaceId);
        if (cache === undefined && cacheSize > 0) {
          cache = createEngineStateCache(cacheSize);
          caches.set(workspaceId, cache);
        }
        await runEnginePipelined(deps, {
          workspaceId,
          cache,
          maxSteps: options.batchSize ?? 500,
          // Notifications go out as soon as their batch commits, not when the round ends.
          onCommitted: (result) => {
            batches++;
            if (result.notifications > 0) options.onNotifications?.();
          },
          // Other workspaces get their turn after 1,000 batches.
          shouldStop: () => stopped || batches >= 1_000,
          // Let requests that arrived meanwhile run between batches (one Node thread serves both).
          between: () => new Promise<void>((resolve) => setImmediate(resolve)),
        });
      }
    } catch (error) {
      deps.log.error({ err: error }, 'engine round failed; retrying');
    }
  };

  schedule(0);
  return {
    wake() {
      if (inFlight !== undefined) wanted = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
