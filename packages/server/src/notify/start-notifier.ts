import {
  type DeliveryOptions,
  deliverDueNotifications,
  type NotifyDeps,
} from '../use-cases/notifications/deliver-due-notifications.ts';

export type Notifier = {
  /** Asks for a round now (notifications were just queued), instead of at the next poll. */
  wake(): void;
  /** Stops polling and resolves once the round in flight (if any) has recorded its outcomes. */
  stop(): Promise<void>;
};

const defaultIntervalMs = 2_000;

/**
 * The background delivery loop of `smarketing serve`: a round of `deliverDueNotifications`, then
 * another at once when the round was full or `wake()` was called meanwhile, else after
 * `intervalMs`. It holds no state of its own (all of it is in `webhook_deliveries`), so a restart
 * picks up where the last process stopped, and several processes on one PostgreSQL share the
 * work. A failing round is logged and retried at the next poll.
 */
export function startNotifier(
  options: DeliveryOptions & { intervalMs?: number },
  deps: NotifyDeps,
): Notifier {
  const intervalMs = options.intervalMs ?? defaultIntervalMs;
  const batchSize = options.batchSize ?? 20;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let wanted = false;

  const schedule = (delayMs: number) => {
    if (stopped || inFlight !== undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = runRound();
    }, delayMs);
    timer.unref();
  };

  const runRound = async () => {
    let full = false;
    try {
      const round = await deliverDueNotifications({ ...options, batchSize }, deps);
      full = round.claimed >= batchSize;
    } catch (error) {
      deps.log.error({ err: error }, 'notifier round failed; retrying');
    }
    const again = full || wanted;
    wanted = false;
    inFlight = undefined; // before scheduling the next round, which waits for no round in flight
    schedule(again ? 0 : intervalMs);
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
