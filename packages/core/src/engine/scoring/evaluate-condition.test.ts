import { describe, expect, test } from 'vitest';
import type { Condition } from '../../agreement/condition.ts';
import { type ConditionContext, conditionTest, evaluateCondition } from './evaluate-condition.ts';

const traits = {
  title: 'VP of Marketing',
  industry: 'Software',
  employees: 300,
  employeesText: '1,200',
  revenue: '2500000.50',
  customer: true,
  customerText: 'TRUE',
  blank: '  ',
  cleared: null,
  zip: '02139',
};

const full: ConditionContext = {
  traits,
  personas: new Set(['marketing-leader']),
  quadrant: 'hot',
  fitGrade: 'A',
  latestFeedback: 'accept',
  deals: { created: true, won: false, lost: false },
  countActivity: (activityId, withinDays) => {
    if (activityId !== 'pricing-viewed') return 0;
    return withinDays === undefined ? 5 : withinDays >= 30 ? 3 : 1;
  },
};

describe('evaluateCondition', () => {
  test.each<[string, Condition, boolean]>([
    ['equals ignores case', { trait: 'industry', equals: 'software' }, true],
    ['equals ignores surrounding spaces', { trait: 'industry', equals: ' SOFTWARE ' }, true],
    ['equals on other text', { trait: 'industry', equals: 'Retail' }, false],
    ['equals compares a number with numeric text', { trait: 'employees', equals: '300' }, true],
    ['equals compares numeric text with a number', { trait: 'employeesText', equals: 1200 }, true],
    ['equals compares two numeric texts as numbers', { trait: 'zip', equals: '2139' }, true],
    ['equals compares a boolean', { trait: 'customer', equals: true }, true],
    ['equals compares boolean text', { trait: 'customerText', equals: true }, true],
    ['equals compares a boolean against false', { trait: 'customer', equals: false }, false],
    ['in matches one of the list, ignoring case', { trait: 'industry', in: ['Retail', 'SOFTWARE'] }, true],
    ['in matches none of the list', { trait: 'industry', in: ['Retail', 'Health'] }, false],
    ['in compares numbers given as text', { trait: 'employees', in: ['100', '300'] }, true],
    ['notIn holds when the value is none of the list', { trait: 'industry', notIn: ['Retail'] }, true],
    ['notIn fails when the value is listed', { trait: 'industry', notIn: ['software'] }, false],
    ['contains ignores case', { trait: 'title', contains: 'MARKETING' }, true],
    ['contains fails on missing text', { trait: 'title', contains: 'sales' }, false],
    ['contains reads numbers as text', { trait: 'employees', contains: '30' }, true],
    ['gte holds at the bound', { trait: 'employees', gte: 300 }, true],
    ['gte fails below the bound', { trait: 'employees', gte: 301 }, false],
    ['lte holds at the bound', { trait: 'employees', lte: 300 }, true],
    ['lte fails above the bound', { trait: 'employees', lte: 299 }, false],
    ['gte and lte together', { trait: 'employees', gte: 100, lte: 500 }, true],
    ['gte and lte together, outside', { trait: 'employees', gte: 400, lte: 500 }, false],
    ['gte reads numeric text with thousands separators', { trait: 'employeesText', gte: 1000 }, true],
    ['lte reads decimal text', { trait: 'revenue', lte: 2500000.5 }, true],
    ['gte fails on text that is not a number', { trait: 'industry', gte: 0 }, false],
    ['gte fails on a boolean', { trait: 'customer', gte: 0 }, false],
    ['between includes the low end', { trait: 'employees', between: [300, 999] }, true],
    ['between includes the high end', { trait: 'employees', between: [50, 300] }, true],
    ['between excludes values outside', { trait: 'employees', between: [301, 999] }, false],
    ['between reads numeric text', { trait: 'employeesText', between: [1000, 2000] }, true],
    ['exists true on a set trait', { trait: 'industry', exists: true }, true],
    ['exists false on a set trait', { trait: 'industry', exists: false }, false],
    ['exists true on a missing trait', { trait: 'country', exists: true }, false],
    ['exists false on a missing trait', { trait: 'country', exists: false }, true],
    ['exists false on a null trait', { trait: 'cleared', exists: false }, true],
    ['exists false on blank text', { trait: 'blank', exists: false }, true],
    ['equals fails on a missing trait', { trait: 'country', equals: 'US' }, false],
    ['notIn fails on a missing trait', { trait: 'country', notIn: ['US'] }, false],
    ['not notIn… in holds on a missing trait', { not: { trait: 'country', in: ['US'] } }, true],
    ['contains fails on a null trait', { trait: 'cleared', contains: 'x' }, false],
    ['gte fails on blank text', { trait: 'blank', gte: 0 }, false],
    ['trait names are exact', { trait: 'Industry', exists: true }, false],
    [
      'all holds when every child holds',
      { all: [{ trait: 'industry', equals: 'software' }, { quadrant: 'hot' }] },
      true,
    ],
    [
      'all fails when one child fails',
      { all: [{ trait: 'industry', equals: 'software' }, { quadrant: 'fan' }] },
      false,
    ],
    ['any holds when one child holds', { any: [{ quadrant: 'fan' }, { fitGrade: ['A'] }] }, true],
    ['any fails when no child holds', { any: [{ quadrant: 'fan' }, { fitGrade: ['D'] }] }, false],
    ['not negates', { not: { quadrant: 'hot' } }, false],
    ['persona present', { persona: 'marketing-leader' }, true],
    ['persona absent', { persona: 'sales-leader' }, false],
    ['quadrant', { quadrant: 'hot' }, true],
    ['fitGrade ignores case', { fitGrade: ['b', 'a'] }, true],
    ['fitGrade not listed', { fitGrade: ['D'] }, false],
    ['activity at least once', { activity: 'pricing-viewed' }, true],
    ['activity never done', { activity: 'demo-requested' }, false],
    ['activity at least n times', { activity: 'pricing-viewed', atLeast: 5 }, true],
    ['activity more often than done', { activity: 'pricing-viewed', atLeast: 6 }, false],
    ['activity within a window', { activity: 'pricing-viewed', atLeast: 3, withinDays: 30 }, true],
    ['activity within a shorter window', { activity: 'pricing-viewed', atLeast: 3, withinDays: 7 }, false],
    ['feedback matches the latest verdict', { feedback: 'accept' }, true],
    ['feedback other verdict', { feedback: 'reject' }, false],
    ['deal created', { deal: 'created' }, true],
    ['deal won', { deal: 'won' }, false],
  ])('%s', (_name, condition, expected) => {
    expect(evaluateCondition(condition, full)).toBe(expected);
    expect(conditionTest(condition)(full)).toBe(expected);
  });

  test.each<[string, Condition, boolean]>([
    ['persona', { persona: 'marketing-leader' }, false],
    ['quadrant', { quadrant: 'hot' }, false],
    ['fitGrade', { fitGrade: ['A'] }, false],
    ['activity', { activity: 'pricing-viewed' }, false],
    ['feedback', { feedback: 'accept' }, false],
    ['deal', { deal: 'created' }, false],
    ['not of a missing source', { not: { deal: 'created' } }, true],
  ])('a %s condition without its source in the context does not hold', (_name, condition, expected) => {
    expect(evaluateCondition(condition, { traits })).toBe(expected);
    expect(conditionTest(condition)({ traits })).toBe(expected);
  });

  test('passes the window to countActivity', () => {
    const calls: [string, number | undefined][] = [];
    evaluateCondition(
      { activity: 'webinar-attended', atLeast: 2, withinDays: 60 },
      {
        traits: {},
        countActivity: (id, days) => {
          calls.push([id, days]);
          return 0;
        },
      },
    );
    expect(calls).toEqual([['webinar-attended', 60]]);
  });
});
