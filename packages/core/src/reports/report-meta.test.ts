import { describe, expect, test } from 'vitest';
import { describeFilters, parseSegment } from './report-meta.ts';

describe('parseSegment', () => {
  test('reads named filters and traits from key=value words', () => {
    const parsed = parseSegment(['source=webinar', 'quadrant=hot', 'employees=400', 'trait.plan=pro']);
    expect(parsed).toEqual({
      ok: true,
      filters: { source: 'webinar', quadrant: 'hot', traits: { employees: '400', plan: 'pro' } },
    });
    expect(parsed.ok && describeFilters(parsed.filters)).toEqual([
      'source=webinar',
      'quadrant=hot',
      'trait.employees=400',
      'trait.plan=pro',
    ]);
  });

  test('refuses a word without a key or a value', () => {
    expect(parseSegment(['webinar'])).toEqual({
      ok: false,
      message: 'segment "webinar" is not key=value, like source=webinar',
    });
    expect(parseSegment(['source='])).toMatchObject({ ok: false });
  });
});
