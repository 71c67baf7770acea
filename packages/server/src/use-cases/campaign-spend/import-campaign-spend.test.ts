import { describe, expect, test } from 'vitest';
import { checkSpendRows } from './import-campaign-spend.ts';

const row = {
  campaign: ' brand ',
  periodStart: '2027-03-01',
  periodEnd: '2027-03-31',
  amount: '1250.5',
  currency: 'USD',
};

describe('checkSpendRows', () => {
  test('trims, gives an absent source the empty one and reads amounts', () => {
    expect(checkSpendRows([row, { ...row, source: 'google', amount: 0 }])).toEqual({
      ok: true,
      rows: [
        {
          campaign: 'brand',
          source: '',
          periodStart: '2027-03-01',
          periodEnd: '2027-03-31',
          amount: 1250.5,
          currency: 'USD',
        },
        {
          campaign: 'brand',
          source: 'google',
          periodStart: '2027-03-01',
          periodEnd: '2027-03-31',
          amount: 0,
          currency: 'USD',
        },
      ],
    });
  });

  test.each([
    [{ campaign: '' }, 'campaign', 'campaign is empty'],
    [{ amount: 'ten' }, 'amount', 'amount "ten" is not a number'],
    [{ amount: '-5' }, 'amount', 'amount -5 is negative'],
    [{ periodEnd: '2037-03-31' }, 'periodEnd', 'the period spans 3684 days'],
    [{ periodStart: '03/01/2027' }, 'periodStart', 'is not a date like 2027-03-01'],
    [{ currency: 'EURO' }, 'currency', 'is not an ISO 4217 code'],
  ])('refuses %o', (change, field, message) => {
    const checked = checkSpendRows([{ ...row, ...change }]);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problems[0]).toMatchObject({ row: 0, field });
      expect(checked.problems[0]?.message).toContain(message);
    }
  });
});
