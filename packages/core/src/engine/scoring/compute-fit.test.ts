import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { computeFit, gradeFit, matchPersonas } from './compute-fit.ts';
import { deriveTraits } from './derive-traits.ts';

function parse(yaml: string) {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

const agreement = parse(defaultAgreementYaml);

describe('computeFit', () => {
  test('a 300-employee software VP of marketing with a work e-mail is an A', () => {
    const traits = deriveTraits(
      { title: 'VP of Marketing', employees: 300, industry: 'Software' },
      'jane@acme.io',
    );
    const fit = computeFit(agreement, traits);
    expect(fit.score).toBe(75);
    expect(fit.grade).toBe('A');
    expect(fit.personas).toEqual(['marketing-leader']);
    expect(fit.contributions.map(({ id, points }) => [id, points])).toEqual([
      ['mid-market', 25],
      ['target-industry', 20],
      ['senior-title', 20],
      ['target-persona', 10],
    ]);
    expect(fit.contributions[0]).toMatchObject({
      label: '50 to 999 employees',
      detail: 'employees is between 50 and 999',
    });
  });

  test('a student on gmail is a D with negative points first', () => {
    const fit = computeFit(agreement, deriveTraits({ title: 'Student' }, 'kim@gmail.com'));
    expect(fit).toMatchObject({ score: -70, grade: 'D', personas: [] });
    expect(fit.contributions.map(({ id, points }) => [id, points])).toEqual([
      ['student', -50],
      ['free-email', -20],
    ]);
  });

  test('employees given as text count as a number', () => {
    expect(computeFit(agreement, { employees: '1,500' }).contributions.map(({ id }) => id)).toEqual([
      'enterprise',
    ]);
  });

  test('nothing known scores 0', () => {
    expect(computeFit(agreement, {})).toEqual({ score: 0, grade: 'D', personas: [], contributions: [] });
  });
});

describe('gradeFit', () => {
  test.each([
    [70, 'A'],
    [69, 'B'],
    [50, 'B'],
    [49, 'C'],
    [25, 'C'],
    [24, 'D'],
    [-100, 'D'],
    [69.6, 'A'],
    [69.4, 'B'],
  ])('%s → %s', (score, grade) => {
    expect(gradeFit(agreement, score)).toBe(grade);
  });

  test('is empty without grades', () => {
    expect(gradeFit({ ...agreement, fit: { rules: agreement.fit.rules } }, 80)).toBe('');
  });
});

describe('matchPersonas', () => {
  test.each([
    [{ title: 'Director of Revenue Operations' }, ['revops-leader']],
    [{ department: 'sales', seniority: 'vp' }, ['sales-leader']],
    [{ department: 'sales', seniority: 'manager' }, []],
    [{ department: 'Marketing', seniority: 'C-Level' }, ['marketing-leader']],
  ])('%j → %j', (traits, personas) => {
    expect(matchPersonas(agreement, traits)).toEqual(personas);
  });

  test('settles personas defined through other personas', () => {
    const yaml = defaultAgreementYaml.replace(
      '\npersonas:\n',
      `
personas:
  - id: not-revops
    label: Anyone but RevOps
    match: { not: { persona: revops-leader } }
  - id: senior-revops
    label: Senior RevOps
    match: { all: [{ persona: revops-leader }, { trait: seniority, equals: vp }] }
`,
    );
    const withChains = parse(yaml);
    expect(matchPersonas(withChains, { title: 'VP RevOps', seniority: 'vp' })).toEqual([
      'senior-revops',
      'revops-leader',
    ]);
    expect(matchPersonas(withChains, { title: 'VP Sales', seniority: 'vp', department: 'sales' })).toEqual([
      'not-revops',
      'sales-leader',
    ]);
  });
});
