import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import type { FitResult } from './compute-fit.ts';
import type { InterestResult } from './evaluate-interest.ts';
import { type ContactScores, rollUpAccount } from './roll-up-account.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const agreement = parsed.agreement;

function contact(contactId: string, fit: number, grade: string, interest: number): ContactScores {
  const fitResult: FitResult = { score: fit, grade, personas: [], contributions: [] };
  const interestResult: InterestResult = { score: interest, exactScore: interest, contributions: [] };
  return { contactId, fit: fitResult, interest: interestResult };
}

describe('rollUpAccount', () => {
  test('takes the best fit and sums the interest', () => {
    const account = rollUpAccount([contact('ann', 40, 'C', 20), contact('bo', 75, 'A', 30.25)], agreement);
    expect(account).toMatchObject({ fit: 75, fitGrade: 'A', fitContactId: 'bo', interest: 50.3 });
    expect(account.quadrant.id).toBe('hot');
    expect(account.contributions).toEqual([
      { id: 'bo', label: 'Contact bo', points: 30.3, detail: 'interest 30.3; fit 75 (A)' },
      { id: 'ann', label: 'Contact ann', points: 20, detail: 'interest 20; fit 40 (C)' },
    ]);
  });

  test('limits the summed interest to the total cap', () => {
    const account = rollUpAccount(
      [contact('a', 30, 'C', 60), contact('b', 20, 'D', 60), contact('c', 10, 'D', 0)],
      agreement,
    );
    expect(account).toMatchObject({ fit: 30, fitContactId: 'a', interest: 100 });
    expect(account.quadrant.id).toBe('fan');
    expect(account.contributions.map(({ id, points }) => [id, points])).toEqual([
      ['a', 60],
      ['b', 60],
      ['total-cap', -20],
    ]);
  });

  test('several lukewarm contacts make an interested account', () => {
    const contacts = [contact('a', 60, 'B', 15), contact('b', 55, 'B', 15), contact('c', 50, 'B', 15)];
    expect(contacts.map((one) => rollUpAccount([one], agreement).quadrant.id)).toEqual([
      'nurture',
      'nurture',
      'nurture',
    ]);
    expect(rollUpAccount(contacts, agreement).quadrant.id).toBe('hot');
  });

  test('an account without contacts scores 0 and drops', () => {
    const account = rollUpAccount([], agreement);
    expect(account).toMatchObject({ fit: 0, fitGrade: '', interest: 0, contributions: [] });
    expect(account.quadrant.id).toBe('drop');
    expect('fitContactId' in account).toBe(false);
  });
});
