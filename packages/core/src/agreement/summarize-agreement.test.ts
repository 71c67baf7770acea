import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from './default-agreement.ts';
import { parseAgreement } from './parse-agreement.ts';
import { summarizeAgreement } from './summarize-agreement.ts';

function parseDefault(edit: (text: string) => string = (text) => text) {
  const result = parseAgreement(edit(defaultAgreementYaml));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.agreement;
}

describe('summarizeAgreement', () => {
  const summary = summarizeAgreement(parseDefault());

  test.each([
    ['the stages in order with owners', '3. Marketing-qualified lead [mql], owned by marketing'],
    [
      'entry rules in words',
      'entered when in the "Hot" quadrant or (did "Requested a demo" and not fit grade is D)',
    ],
    [
      'a stage owned by sales',
      '4. Sales-qualified lead [sql], owned by sales; entered when sales accepted the lead',
    ],
    [
      'detours and where they return',
      'Recycled [recycled] from Marketing-qualified lead, Sales-qualified lead; returns to Lead',
    ],
    ['the number of fit rules', 'Fit: 8 rules'],
    ['negative fit points', '-50 Student or job seeker'],
    ['fit grade bands', 'grades: A ≥ 70, B 50–69, C 25–49, D ≤ 24'],
    ['interest decay and cap', 'points halve every 30 days, capped at 100'],
    ['frequency rules', '+15 15 or more page views in 30 days (frequency)'],
    ['quadrant thresholds', 'good fit at fit ≥ 50, interested at interest ≥ 40'],
    ['the hot quadrant deadline', 'Hot (good fit, interested): hand to sales, first touch within 24h'],
    ['business-hours deadlines', 'first touch within 3d (business hours only)'],
    ['the routing rule', 'when employees is at least 1000 → Enterprise sales'],
    [
      "marketing's half of the SLA",
      'marketing delivers 400 points of leads reaching Marketing-qualified lead',
    ],
    ["sales' half of the SLA", 'sales works 90% of them with a qualifying touch (call, email, meeting)'],
    ['escalation', '1d after a missed deadline: reassign the lead'],
    ['reasons', 'Spam or fake details (invalid)'],
    ['personas with their team', 'Sales leader → Enterprise sales'],
    ['goals with deal counts', '2027: USD 4,800,000 (average deal USD 24,000, about 200 deals)'],
  ])('mentions %s', (_fact, text) => {
    expect(summary).toContain(text);
  });

  test('follows the agreement when it changes', () => {
    const changed = summarizeAgreement(
      parseDefault((text) =>
        text
          .replace('firstTouchWithin: 24h', 'firstTouchWithin: 8h')
          .replace('period: month', 'period: quarter'),
      ),
    );
    expect(changed).toContain('first touch within 8h');
    expect(changed).toContain('SLA per quarter:');
    expect(changed).not.toContain('first touch within 24h');
  });
});
