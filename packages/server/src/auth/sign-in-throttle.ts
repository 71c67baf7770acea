/**
 * Failed sign-ins per e-mail and client address, in this process's memory: after `maxFailures`
 * within `windowMs`, further attempts are refused until the oldest failure leaves the window. A
 * success clears the count. Entries expire with their window, and their number is capped.
 */
export type SignInThrottle = {
  /** Seconds to wait before trying again, or 0 when an attempt may be made now. */
  retryAfterSeconds(key: string): number;
  recordFailure(key: string): void;
  recordSuccess(key: string): void;
};

export function createSignInThrottle(options: {
  maxFailures: number;
  windowMs: number;
  clock: () => number;
  maxKeys?: number;
}): SignInThrottle {
  const failures = new Map<string, number[]>();
  const maxKeys = options.maxKeys ?? 50_000;

  function recent(key: string): number[] {
    const now = options.clock();
    const kept = (failures.get(key) ?? []).filter((at) => now - at < options.windowMs);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  }

  return {
    retryAfterSeconds(key) {
      const kept = recent(key);
      if (kept.length < options.maxFailures) return 0;
      const oldest = kept[kept.length - options.maxFailures] ?? options.clock();
      return Math.max(1, Math.ceil((oldest + options.windowMs - options.clock()) / 1000));
    },
    recordFailure(key) {
      const kept = recent(key);
      kept.push(options.clock());
      failures.delete(key);
      failures.set(key, kept);
      if (failures.size > maxKeys) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
    },
    recordSuccess(key) {
      failures.delete(key);
    },
  };
}
