import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { classifyQuadrant, quadrantOf } from './classify-quadrant.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const agreement = parsed.agreement;

describe('classifyQuadrant', () => {
  // Default thresholds: fit 50, interest 40, both inclusive.
  test.each([
    [50, 40, 'hot'],
    [90, 100, 'hot'],
    [50, 39.9, 'nurture'],
    [75, 0, 'nurture'],
    [49.9, 40, 'fan'],
    [-70, 80, 'fan'],
    [49, 39, 'drop'],
    [0, 0, 'drop'],
  ])('fit %d, interest %d → %s', (fit, interest, id) => {
    expect(classifyQuadrant(agreement, fit, interest).id).toBe(id);
    expect(quadrantOf(agreement, fit, interest)).toBe(id);
  });

  test('carries the agreed action and deadline', () => {
    expect(classifyQuadrant(agreement, 50, 40)).toEqual({
      id: 'hot',
      label: 'Hot',
      action: 'hand-to-sales',
      firstTouchWithin: '24h',
      businessHours: false,
      goodFit: true,
      interested: true,
    });
    expect(classifyQuadrant(agreement, 0, 40)).toMatchObject({
      action: 'low-touch-sales',
      firstTouchWithin: '3d',
      businessHours: true,
    });
    const nurture = classifyQuadrant(agreement, 60, 0);
    expect(nurture).toMatchObject({ id: 'nurture', action: 'nurture', businessHours: false });
    expect('firstTouchWithin' in nurture).toBe(false);
  });
});
