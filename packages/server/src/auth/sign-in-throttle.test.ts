import { describe, expect, test } from 'vitest';
import { createSignInThrottle } from './sign-in-throttle.ts';

describe('createSignInThrottle', () => {
  const minute = 60_000;

  test('refuses after the maximum of failures until the window has passed', () => {
    let now = 0;
    const throttle = createSignInThrottle({ maxFailures: 3, windowMs: 15 * minute, clock: () => now });
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds('a@x.io|1.2.3.4')).toBe(0);
      throttle.recordFailure('a@x.io|1.2.3.4');
      now += minute;
    }
    expect(throttle.retryAfterSeconds('a@x.io|1.2.3.4')).toBe(12 * 60);
    expect(throttle.retryAfterSeconds('a@x.io|5.6.7.8')).toBe(0);
    now = 15 * minute;
    expect(throttle.retryAfterSeconds('a@x.io|1.2.3.4')).toBe(0);
  });

  test('forgets the failures after a success', () => {
    const throttle = createSignInThrottle({ maxFailures: 2, windowMs: minute, clock: () => 0 });
    throttle.recordFailure('k');
    throttle.recordFailure('k');
    expect(throttle.retryAfterSeconds('k')).toBeGreaterThan(0);
    throttle.recordSuccess('k');
    expect(throttle.retryAfterSeconds('k')).toBe(0);
  });
});
