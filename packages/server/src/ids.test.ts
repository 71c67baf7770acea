import { describe, expect, test } from 'vitest';
import { createUuidV7 } from './ids.ts';

describe('createUuidV7', () => {
  test('produces a version 7, variant 10 uuid', () => {
    expect(createUuidV7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('sorts by the instant it was made', () => {
    const earlier = createUuidV7(new Date('2026-01-01T00:00:00Z'));
    const later = createUuidV7(new Date('2026-01-01T00:00:00.001Z'));
    expect(earlier < later).toBe(true);
    expect(earlier.slice(0, 13)).toBe('019b76da-a800');
  });

  test('differs between calls in the same millisecond', () => {
    const now = new Date();
    expect(createUuidV7(now)).not.toBe(createUuidV7(now));
  });
});
