import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from './default-agreement.ts';
import { diffAgreements, formatAgreementDiff } from './diff-agreements.ts';
import { parseAgreement } from './parse-agreement.ts';

function parseDefault(edit: (text: string) => string = (text) => text) {
  const result = parseAgreement(edit(defaultAgreementYaml));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.agreement;
}

const webinarRegistered = `    - id: webinar-registered
      label: Registered for a webinar
      match: { events: [Webinar Registered] }
      points: 10
      cap: 20
      group: events
`;
const webinarAttended = `    - id: webinar-attended
      label: Attended a webinar
      match: { events: [Webinar Attended] }
      points: 20
      cap: 40
      group: events
`;

describe('diffAgreements', () => {
  const base = parseDefault();

  test('finds no changes between identical agreements', () => {
    expect(diffAgreements(base, parseDefault())).toEqual([]);
  });

  test('reports a changed value with before and after', () => {
    const after = parseDefault((text) => text.replace('firstTouchWithin: 24h', 'firstTouchWithin: 8h'));
    expect(diffAgreements(base, after)).toEqual([
      { path: 'quadrants.hot.firstTouchWithin', kind: 'changed', before: '24h', after: '8h' },
    ]);
  });

  test('names list items by id rather than position', () => {
    const after = parseDefault((text) =>
      text.replace(
        '    entry: { feedback: accept }',
        '    entry: { all: [{ feedback: accept }, { fitGrade: [A, B] }] }',
      ),
    );
    expect(diffAgreements(base, after)).toEqual([
      {
        path: 'stages[sql].entry',
        kind: 'changed',
        before: { feedback: 'accept' },
        after: { all: [{ feedback: 'accept' }, { fitGrade: ['A', 'B'] }] },
      },
    ]);
  });

  test('reports added and removed items', () => {
    const after = parseDefault((text) =>
      text
        .replace(webinarAttended, '')
        .replace('    - { id: price, label: Price }\n', '')
        .replace(
          '    - { id: no-decision,',
          '    - { id: timing, label: Bad timing }\n    - { id: no-decision,',
        ),
    );
    const changes = diffAgreements(base, after);
    expect(changes.map(({ path, kind }) => `${kind} ${path}`)).toEqual([
      'removed interest.activities[webinar-attended]',
      'removed feedback.lostReasons[price]',
      'added feedback.lostReasons[timing]',
    ]);
    expect(changes[2]?.after).toEqual({ id: 'timing', label: 'Bad timing', invalid: false });
  });

  test('shows a reordered list as one order change, not as edits of every item', () => {
    const after = parseDefault((text) =>
      text.replace(webinarRegistered + webinarAttended, webinarAttended + webinarRegistered),
    );
    const ids = base.interest.activities.map((activity) => activity.id);
    const swapped = ids.map((id) =>
      id === 'webinar-registered'
        ? 'webinar-attended'
        : id === 'webinar-attended'
          ? 'webinar-registered'
          : id,
    );
    expect(diffAgreements(base, after)).toEqual([
      { path: 'interest.activities (order)', kind: 'changed', before: ids, after: swapped },
    ]);
  });

  test('matches goals by period and grades by letter', () => {
    const after = parseDefault((text) =>
      text
        .replace('{ period: 2027-Q4, amount: 1400000 }', '{ period: 2027-Q4, amount: 1500000 }')
        .replace('{ grade: A, min: 70 }', '{ grade: A, min: 75 }'),
    );
    expect(diffAgreements(base, after).map((change) => change.path)).toEqual([
      'fit.grades[A].min',
      'goals[2027-Q4].amount',
    ]);
  });
});

describe('formatAgreementDiff', () => {
  test('writes one line per change with ~, + and -', () => {
    expect(
      formatAgreementDiff([
        { path: 'quadrants.hot.firstTouchWithin', kind: 'changed', before: '24h', after: '8h' },
        { path: 'interest.activities[webinar-attended]', kind: 'added', after: { id: 'webinar-attended' } },
        { path: 'feedback.lostReasons[price]', kind: 'removed', before: { id: 'price' } },
        { path: 'stages[lead].moves', kind: 'changed', before: ['mql'], after: ['mql', 'sql'] },
        {
          path: 'stages[sql].entry',
          kind: 'changed',
          before: { feedback: 'accept' },
          after: { deal: 'created' },
        },
        { path: 'interest.totalCap', kind: 'removed', before: 100 },
        { path: 'teams[sales].label', kind: 'changed', before: 'Sales, inside', after: 'Inside sales' },
      ]),
    ).toBe(
      [
        '~ quadrants.hot.firstTouchWithin: 24h → 8h',
        '+ interest.activities[webinar-attended]',
        '- feedback.lostReasons[price]',
        '~ stages[lead].moves: [mql] → [mql, sql]',
        '~ stages[sql].entry: { feedback: accept } → { deal: created }',
        '- interest.totalCap: 100',
        '~ teams[sales].label: "Sales, inside" → Inside sales',
      ].join('\n'),
    );
  });

  test('says so when nothing changed', () => {
    expect(formatAgreementDiff([])).toBe('no changes');
  });
});
