import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../app-error.ts';
import type { Deps } from '../deps.ts';
import { authenticateApiKey } from '../use-cases/api-keys/authenticate-api-key.ts';
import type { AppEnv } from './app-env.ts';
import { readToken } from './auth.ts';

/**
 * Per-key request budgets. Each caller has a token bucket per scope (tracking calls under `/v1/`,
 * the JSON API under `/api/`) holding up to a minute's worth of requests and refilling at the
 * configured rate, so a burst up to the budget passes and a sustained excess gets 429 with
 * `Retry-After`. Buckets live in this process's memory: each server process has its own budget.
 * A bucket idle long enough to be full again is forgotten (it is the same as a new one), and the
 * number of buckets is capped, so memory stays bounded whatever callers do.
 */
export type RateLimits = {
  /** Tracking calls (`/v1/*`) per minute per API key, or per client address without one; 0: unlimited. */
  ingestPerMinute: number;
  /** JSON API calls (`/api/*`) per minute per API key; 0: unlimited. */
  apiPerMinute: number;
};

type RateLimitDecision = {
  allowed: boolean;
  /** Requests the full bucket holds. */
  limit: number;
  /** Whole requests left after this one. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request would pass; 0 when this one did. */
  retryAfterSeconds: number;
};

export type TokenBucketLimiter = {
  take(callerId: string): RateLimitDecision;
  /** Buckets held in memory. */
  size(): number;
};

const windowMs = 60_000;

export function createTokenBucketLimiter(options: {
  perMinute: number;
  /** Milliseconds; only differences matter. */
  clock: () => number;
  /** Buckets kept at most; past it the least recently used one is forgotten. */
  maxBuckets?: number;
}): TokenBucketLimiter {
  const capacity = options.perMinute;
  const tokensPerMs = capacity / windowMs;
  const maxBuckets = options.maxBuckets ?? 100_000;
  // Least recently used first: Map keeps insertion order and every take re-inserts its bucket.
  const buckets = new Map<string, { tokens: number; at: number }>();

  function forgetIdle(now: number) {
    for (const [callerId, bucket] of buckets) {
      if (now - bucket.at < windowMs) break;
      buckets.delete(callerId);
    }
  }

  return {
    take(callerId) {
      const now = options.clock();
      forgetIdle(now);
      const bucket = buckets.get(callerId) ?? { tokens: capacity, at: now };
      buckets.delete(callerId);
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * tokensPerMs);
      bucket.at = now;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(callerId, bucket);
      if (buckets.size > maxBuckets) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return {
        allowed,
        limit: capacity,
        remaining: Math.floor(bucket.tokens),
        resetSeconds: Math.ceil((capacity - bucket.tokens) / tokensPerMs / 1000),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / tokensPerMs / 1000)),
      };
    },
    size: () => buckets.size,
  };
}

type Scope = 'ingest' | 'api';

/**
 * The two middlewares: `api` after authentication (the caller is the API key), `ingest` before the
 * tracking routes, which authenticate inside (it verifies a header key itself, through the same
 * cache; a write key sent only in the body is limited by client address).
 */
export function createRateLimits(
  deps: Pick<Deps, 'repos' | 'clock' | 'log'>,
  limits: RateLimits | undefined,
) {
  const clock = () => deps.clock().getTime();

  function limitOf(
    scope: Scope,
    perMinute: number | undefined,
    identify: (c: Context<AppEnv>) => Promise<string>,
  ) {
    if (!perMinute) return createMiddleware<AppEnv>((_c, next) => next());
    const limiter = createTokenBucketLimiter({ perMinute, clock });
    return createMiddleware<AppEnv>(async (c, next) => {
      const decision = limiter.take(`${scope}:${await identify(c)}`);
      c.header('RateLimit-Policy', `${decision.limit};w=60`);
      c.header('RateLimit-Limit', String(decision.limit));
      c.header('RateLimit-Remaining', String(decision.remaining));
      c.header('RateLimit-Reset', String(decision.resetSeconds));
      if (!decision.allowed) {
        throw new AppError('RATE_LIMITED', {
          message: `Too many requests: this ${scope === 'api' ? 'API key' : 'caller'} may send ${perMinute} ${scope} requests a minute. Retry after ${decision.retryAfterSeconds} s.`,
          details: { scope, limitPerMinute: perMinute, retryAfterSeconds: decision.retryAfterSeconds },
        });
      }
      await next();
    });
  }

  return {
    ingest: limitOf('ingest', limits?.ingestPerMinute, async (c) => {
      const token = readToken(c.req.header('authorization'));
      if (token === undefined) return `ip:${clientAddressOf(c)}`;
      const principal = await authenticateApiKey({ token }, deps);
      c.set('principal', principal);
      return `key:${principal.keyId}`;
    }),
    api: limitOf('api', limits?.apiPerMinute, async (c) => {
      const principal = c.get('principal');
      return principal ? `key:${principal.keyId}` : `ip:${clientAddressOf(c)}`;
    }),
  };
}

/** The peer address of the connection (proxies' forwarding headers are not trusted). */
function clientAddressOf(c: Context<AppEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
