import { describe, expect, test } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  test.each([
    ['90m', 90],
    ['24h', 1440],
    ['3d', 4320],
    ['2w', 20160],
    ['1h30m', 90],
    ['1d 12h', 2160],
    [' 8h ', 480],
  ])('reads %j as %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  test.each(['', '24', 'h', '24 hours', '1.5h', '-3d', '0h', '30m1h', '1h1h', '2y'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
