import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../test/test-runtime.ts';
import { createApiKey } from '../use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from './app.ts';
import { createTokenBucketLimiter } from './rate-limit.ts';

describe('createTokenBucketLimiter', () => {
  function limiterAt(perMinute: number, options: { maxBuckets?: number } = {}) {
    const time = { now: 1_000_000 };
    const limiter = createTokenBucketLimiter({ perMinute, clock: () => time.now, ...options });
    return { limiter, time };
  }

  test('allows a burst up to the bucket, then refuses with the seconds until the next request passes', () => {
    const { limiter } = limiterAt(6);
    const decisions = Array.from({ length: 7 }, () => limiter.take('key:a'));
    expect(decisions.map((decision) => decision.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(decisions[0]).toEqual({
      allowed: true,
      limit: 6,
      remaining: 5,
      resetSeconds: 10,
      retryAfterSeconds: 0,
    });
    expect(decisions[6]).toEqual({
      allowed: false,
      limit: 6,
      remaining: 0,
      resetSeconds: 60,
      retryAfterSeconds: 10,
    });
  });

  test.each([
    { afterMs: 9_999, allowed: false, retryAfterSeconds: 1 },
    { afterMs: 10_000, allowed: true, retryAfterSeconds: 0 },
  ])('refills at the rate per minute: $afterMs ms after emptying, allowed=$allowed', (row) => {
    const { limiter, time } = limiterAt(6);
    for (let index = 0; index < 6; index++) limiter.take('key:a');
    time.now += row.afterMs;
    expect(limiter.take('key:a')).toMatchObject({
      allowed: row.allowed,
      retryAfterSeconds: row.retryAfterSeconds,
    });
  });

  test('refills no further than the bucket after a long pause', () => {
    const { limiter, time } = limiterAt(3);
    limiter.take('key:a');
    time.now += 3_600_000;
    const decisions = Array.from({ length: 4 }, () => limiter.take('key:a').allowed);
    expect(decisions).toEqual([true, true, true, false]);
  });

  test('keeps separate callers independent', () => {
    const { limiter } = limiterAt(2);
    limiter.take('key:a');
    limiter.take('key:a');
    expect(limiter.take('key:a').allowed).toBe(false);
    expect(limiter.take('key:b')).toMatchObject({ allowed: true, remaining: 1 });
  });

  test('does not refill when the clock goes back', () => {
    const { limiter, time } = limiterAt(1);
    limiter.take('key:a');
    time.now -= 120_000;
    expect(limiter.take('key:a').allowed).toBe(false);
  });

  test('forgets buckets idle long enough to be full again, so memory follows the active callers', () => {
    const { limiter, time } = limiterAt(60);
    for (let index = 0; index < 1_000; index++) limiter.take(`ip:10.0.${index >> 8}.${index & 255}`);
    expect(limiter.size()).toBe(1_000);
    time.now += 59_999;
    limiter.take('key:active');
    expect(limiter.size()).toBe(1_001);
    time.now += 1;
    limiter.take('key:active');
    expect(limiter.size()).toBe(1);
  });

  test('holds at most maxBuckets, forgetting the least recently used', () => {
    const { limiter } = limiterAt(1, { maxBuckets: 2 });
    limiter.take('key:a');
    limiter.take('key:b');
    limiter.take('key:a');
    limiter.take('key:c');
    expect(limiter.size()).toBe(2);
    expect(limiter.take('key:a').allowed).toBe(false);
    expect(limiter.take('key:b').allowed).toBe(true);
  });
});

describe('rate limits in the app', () => {
  const time = { now: new Date('2027-03-01T12:00:00Z').getTime() };
  let deps: Awaited<ReturnType<typeof openTestDeps>>;
  let http: HttpApp;
  let unlimited: HttpApp;
  let adminToken: string;
  let viewerToken: string;
  let ingestToken: string;

  beforeAll(async () => {
    deps = await openTestDeps({ clock: () => new Date(time.now) });
    const workspace = await createWorkspace({ name: 'Limited', createdBy: 'test' }, deps);
    adminToken = workspace.adminToken;
    const key = (role: string) =>
      createApiKey({ workspaceId: workspace.workspaceId, name: role, role, createdBy: 'test' }, deps);
    viewerToken = (await key('viewer')).token;
    ingestToken = (await key('ingest')).token;
    const options = { version: 'test', maxBodyBytes: 64 * 1024, webDistDir: '/nonexistent' };
    http = createApp(deps, { ...options, rateLimits: { ingestPerMinute: 4, apiPerMinute: 3 } });
    unlimited = createApp(deps, { ...options, rateLimits: { ingestPerMinute: 0, apiPerMinute: 0 } });
  });

  afterAll(async () => {
    await deps.close();
  });

  const me = (token: string, app = http) =>
    app.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  const track = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    http.app.request('/v1/track', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ anonymousId: 'visitor-1', event: 'Page Viewed', ...body }),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  test('answers 429 RATE_LIMITED with Retry-After once a key has spent its API budget, and again after the refill', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let index = 0; index < 4; index++) {
      last = await me(adminToken);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers.get('retry-after')).toBe('20');
    expect(last?.headers.get('ratelimit-limit')).toBe('3');
    expect(last?.headers.get('ratelimit-remaining')).toBe('0');
    expect(last?.headers.get('ratelimit-policy')).toBe('3;w=60');
    expect(await last?.json()).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringContaining('3 api requests a minute'),
        details: { scope: 'api', limitPerMinute: 3, retryAfterSeconds: 20 },
      },
    });

    time.now += 20_000;
    const refilled = await me(adminToken);
    expect(refilled.status).toBe(200);
    expect(refilled.headers.get('ratelimit-remaining')).toBe('0');
    expect((await me(adminToken)).status).toBe(429);
  });

  test('gives each key its own budget, and ingest a budget apart from the API', async () => {
    time.now += 3_600_000;
    for (let index = 0; index < 3; index++) expect((await me(viewerToken)).status).toBe(200);
    expect((await me(viewerToken)).status).toBe(429);
    expect((await me(adminToken)).status).toBe(200);

    const ingest = [];
    for (let index = 0; index < 5; index++) ingest.push((await track(bearer(ingestToken))).status);
    expect(ingest).toEqual([200, 200, 200, 200, 429]);
    // The admin key's API budget does not pay for its tracking calls, and the other way round.
    for (let index = 0; index < 4; index++) expect((await track(bearer(adminToken))).status).toBe(200);
    expect((await track(bearer(adminToken))).status).toBe(429);
    expect((await me(adminToken)).status).toBe(200);
  });

  test('limits tracking calls without a header key by client address, and refuses a wrong key before counting it', async () => {
    time.now += 3_600_000;
    const statuses = [];
    for (let index = 0; index < 5; index++)
      statuses.push((await track({}, { writeKey: ingestToken })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const wrong = await track(bearer(`${ingestToken.slice(0, -4)}AAAA`));
    expect(wrong.status).toBe(401);
    expect((await track(bearer(ingestToken))).status).toBe(200);
  });

  test('limits sign-in attempts per client address', async () => {
    time.now += 3_600_000;
    const attempt = () =>
      http.app.request('/api/v1/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'guess' }),
      });
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
  });

  test('leaves the health routes and a limit of 0 unlimited', async () => {
    time.now += 3_600_000;
    for (let index = 0; index < 10; index++) {
      expect((await http.app.request('/healthz')).status).toBe(200);
      expect((await me(viewerToken, unlimited)).status).toBe(200);
    }
    expect((await http.app.request('/healthz')).headers.get('ratelimit-limit')).toBeNull();
  });
});
