import { describe, expect, test } from 'vitest';
import { createIssue, describeChoices, formatAgreementIssue, formatPath } from './issues.ts';

describe('formatPath', () => {
  test.each([
    [[], ''],
    [['stages', 3, 'moves', 0], 'stages[3].moves[0]'],
    [['sla', 'marketing', 'teams', 'enterprise-sales'], 'sla.marketing.teams.enterprise-sales'],
    [['interest', 'groupCaps', 'web visits'], 'interest.groupCaps["web visits"]'],
  ])('writes %j as %j', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('formatAgreementIssue', () => {
  test('writes file, line, column, path and message like a compiler', () => {
    const issue = {
      ...createIssue('UNKNOWN_REFERENCE', ['stages', 3, 'moves', 0], 'unknown stage "sqll"'),
      line: 12,
      column: 5,
    };
    expect(formatAgreementIssue(issue)).toBe('agreement.yaml:12:5 stages[3].moves[0]: unknown stage "sqll"');
    expect(formatAgreementIssue(issue, 'sales.yaml')).toBe(
      'sales.yaml:12:5 stages[3].moves[0]: unknown stage "sqll"',
    );
  });

  test('leaves out what the issue does not know', () => {
    expect(formatAgreementIssue(createIssue('YAML_SYNTAX', [], 'invalid YAML'))).toBe(
      'agreement.yaml: invalid YAML',
    );
  });
});

describe('describeChoices', () => {
  test.each([
    ['sqll', ['lead', 'mql', 'sql'], 'expected one of lead, mql, sql; did you mean "sql"?'],
    ['customer', ['lead', 'mql', 'sql'], 'expected one of lead, mql, sql'],
    ['x', [], 'none are defined'],
  ])('describes %j among %j', (name, known, text) => {
    expect(describeChoices(name, known)).toBe(text);
  });
});
