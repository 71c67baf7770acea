import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from './default-agreement.ts';
import type { AgreementIssueCode } from './issues.ts';
import { parseAgreement } from './parse-agreement.ts';

// A small valid agreement; the tests below replace numbered lines to break it in one place.
const fixtureLines = [
  /*  1 */ 'name: Test agreement',
  /*  2 */ 'timezone: Europe/Paris',
  /*  3 */ 'currency: EUR',
  /*  4 */ 'teams:',
  /*  5 */ '  - id: sales-team',
  /*  6 */ '    label: Sales',
  /*  7 */ '    kind: sales',
  /*  8 */ '    reps:',
  /*  9 */ '      - { id: ana, name: Ana, email: ana@example.com }',
  /* 10 */ 'stages:',
  /* 11 */ '  - id: lead',
  /* 12 */ '    label: Lead',
  /* 13 */ '    owner: marketing',
  /* 14 */ '    moves: [mql]',
  /* 15 */ '  - id: mql',
  /* 16 */ '    label: MQL',
  /* 17 */ '    owner: marketing',
  /* 18 */ '    entry: { quadrant: hot }',
  /* 19 */ '    moves: [sql]',
  /* 20 */ '  - id: sql',
  /* 21 */ '    label: SQL',
  /* 22 */ '    owner: sales-team',
  /* 23 */ '    entry: { feedback: accept }',
  /* 24 */ 'detours:',
  /* 25 */ '  - id: disqualified',
  /* 26 */ '    label: Disqualified',
  /* 27 */ '    from: [mql, sql]',
  /* 28 */ '    reasonRequired: true',
  /* 29 */ '    reasons: reject',
  /* 30 */ 'fit:',
  /* 31 */ '  rules:',
  /* 32 */ '    - id: big',
  /* 33 */ '      label: Big company',
  /* 34 */ '      when: { trait: employees, gte: 100 }',
  /* 35 */ '      points: 40',
  /* 36 */ '  grades:',
  /* 37 */ '    - { grade: A, min: 40 }',
  /* 38 */ '    - { grade: B, max: 39 }',
  /* 39 */ 'interest:',
  /* 40 */ '  halfLifeDays: 30',
  /* 41 */ '  activities:',
  /* 42 */ '    - id: demo',
  /* 43 */ '      label: Demo request',
  /* 44 */ '      match: { events: [Demo Requested] }',
  /* 45 */ '      points: 50',
  /* 46 */ '    - id: page-view',
  /* 47 */ '      label: Page view',
  /* 48 */ '      match: { types: [page] }',
  /* 49 */ '      points: 1',
  /* 50 */ '      cap: 10',
  /* 51 */ '  frequency:',
  /* 52 */ '    - { id: frequent, activity: page-view, atLeast: 10, withinDays: 7, points: 10 }',
  /* 53 */ 'quadrants:',
  /* 54 */ '  thresholds: { fit: 40, interest: 30 }',
  /* 55 */ '  hot: { label: Hot, action: hand-to-sales, firstTouchWithin: 24h }',
  /* 56 */ '  nurture: { label: Nurture, action: nurture }',
  /* 57 */ '  fan: { label: Fan, action: low-touch-sales, firstTouchWithin: 3d, businessHours: true }',
  /* 58 */ '  drop: { label: Drop, action: suppress }',
  /* 59 */ 'routing:',
  /* 60 */ '  defaultTeam: sales-team',
  /* 61 */ 'sla:',
  /* 62 */ '  period: month',
  /* 63 */ '  marketing:',
  /* 64 */ '    stage: mql',
  /* 65 */ '    measure: points',
  /* 66 */ '    target: 100',
  /* 67 */ '    invalidReasons: [spam]',
  /* 68 */ '  sales:',
  /* 69 */ '    workedWithinDeadline: 0.8',
  /* 70 */ '    qualifyingTouches: [call, email]',
  /* 71 */ '    escalation:',
  /* 72 */ '      - { after: 4h, action: notify-manager }',
  /* 73 */ 'feedback:',
  /* 74 */ '  rejectReasons:',
  /* 75 */ '    - { id: spam, label: Spam, invalid: true }',
  /* 76 */ '    - { id: no-budget, label: No budget }',
  /* 77 */ '  recycleReasons:',
  /* 78 */ '    - { id: not-now, label: Not now, recycleAfterDays: 90 }',
  /* 79 */ 'personas:',
  /* 80 */ '  - id: buyer',
  /* 81 */ '    label: Buyer',
  /* 82 */ '    match: { trait: seniority, in: [director, vp] }',
  /* 83 */ '    team: sales-team',
  /* 84 */ 'goals:',
  /* 85 */ '  - { period: 2027, amount: 1000000 }',
];

/** The fixture with some 1-based lines replaced. */
function fixture(replacements: Record<number, string> = {}): string {
  return fixtureLines.map((line, index) => replacements[index + 1] ?? line).join('\n');
}

function issuesOf(text: string) {
  const result = parseAgreement(text);
  if (result.ok) throw new Error('expected the agreement to be rejected');
  return result.issues;
}

describe('parseAgreement', () => {
  test('accepts the default agreement with no issues and no warnings', () => {
    const result = parseAgreement(defaultAgreementYaml);
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });

  test('accepts the fixture and fills in defaults', () => {
    const result = parseAgreement(fixture());
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.warnings).toEqual([]);
    const { agreement } = result;
    expect(agreement.routing).toMatchObject({
      strategy: 'weighted-round-robin',
      accountOwnerWins: true,
      keepExistingOwner: true,
      rules: [],
    });
    expect(agreement.teams[0]?.businessHours).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:00',
    });
    expect(agreement.teams[0]?.reps[0]).toMatchObject({ capacity: 1, away: false });
    expect(agreement.detours[0]?.returnsTo).toBeNull();
    expect(agreement.quadrants.hot.businessHours).toBe(false);
    expect(agreement.goals[0]?.period).toBe('2027');
  });

  type BrokenCase = {
    name: string;
    lines: Record<number, string>;
    code: AgreementIssueCode;
    pathText: string;
    line: number;
    column: number;
    message: string;
  };

  const brokenCases: BrokenCase[] = [
    {
      name: 'an unknown stage in a move',
      lines: { 14: '    moves: [mql, sqll]' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'stages[0].moves[1]',
      line: 14,
      column: 18,
      message: 'unknown stage "sqll"; expected one of lead, mql, sql, disqualified; did you mean "sql"?',
    },
    {
      name: 'an unknown stage in a detour',
      lines: { 27: '    from: [mql, sal]' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'detours[0].from[1]',
      line: 27,
      column: 17,
      message: 'unknown stage "sal"; expected one of lead, mql, sql; did you mean "sql"?',
    },
    {
      name: 'an unknown activity inside a nested entry rule',
      lines: { 18: '    entry: { any: [{ quadrant: hot }, { activity: dem }] }' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'stages[1].entry.any[1].activity',
      line: 18,
      column: 51,
      message: 'unknown activity "dem"; expected one of demo, page-view; did you mean "demo"?',
    },
    {
      name: 'a value of the wrong type',
      lines: { 45: '      points: fifty' },
      code: 'INVALID_TYPE',
      pathText: 'interest.activities[0].points',
      line: 45,
      column: 15,
      message: 'expected a number, got the text "fifty"',
    },
    {
      name: 'a wrong type inside a condition',
      lines: { 18: '    entry: { quadrant: 5 }' },
      code: 'INVALID_TYPE',
      pathText: 'stages[1].entry.quadrant',
      line: 18,
      column: 24,
      message: 'expected text, got number 5',
    },
    {
      name: 'a negative half-life',
      lines: { 40: '  halfLifeDays: -2' },
      code: 'TOO_SMALL',
      pathText: 'interest.halfLifeDays',
      line: 40,
      column: 17,
      message:
        "halfLifeDays must be greater than 0 (it is how many days until an activity's points count half); got -2",
    },
    {
      name: 'a stage no move leads to',
      lines: { 19: '    moves: []' },
      code: 'UNREACHABLE_STAGE',
      pathText: 'stages[2]',
      line: 20,
      column: 5,
      message:
        'stage "sql" cannot be reached from the first stage "lead"; list it in the moves of an earlier stage or in a detour\'s returnsTo',
    },
    {
      name: 'overlapping fit grades',
      lines: { 38: '    - { grade: B, max: 45 }' },
      code: 'OVERLAPPING_GRADES',
      pathText: 'fit.grades[1]',
      line: 38,
      column: 7,
      message: 'fit grade "B" (≤ 45) overlaps grade "A" (≥ 40); each fit score must fall in one band',
    },
    {
      name: 'a duplicate reason id',
      lines: { 76: '    - { id: spam, label: No budget }' },
      code: 'DUPLICATE_ID',
      pathText: 'feedback.rejectReasons[1].id',
      line: 76,
      column: 13,
      message:
        'duplicate reject reason id "spam"; it is already used at feedback.rejectReasons[0].id, and each must be unique',
    },
    {
      name: 'a detour with the id of a stage',
      lines: { 25: '  - id: mql' },
      code: 'DUPLICATE_ID',
      pathText: 'detours[0].id',
      line: 25,
      column: 9,
      message:
        'duplicate stage or detour id "mql"; it is already used at stages[1].id, and each must be unique',
    },
    {
      name: 'an unknown key close to a known one',
      lines: { 18: '    entri: { quadrant: hot }' },
      code: 'UNKNOWN_KEY',
      pathText: 'stages[1].entri',
      line: 18,
      column: 5,
      message:
        'unknown key "entri"; expected one of id, label, description, owner, entry, moves; did you mean "entry"?',
    },
    {
      name: 'a missing required key',
      lines: { 16: '    description: Marketing-qualified' },
      code: 'MISSING_KEY',
      pathText: 'stages[1].label',
      line: 15,
      column: 5,
      message: 'missing required key "label"; expected text',
    },
    {
      name: 'a duration that is not one',
      lines: { 55: '  hot: { label: Hot, action: hand-to-sales, firstTouchWithin: 24 hours }' },
      code: 'INVALID_DURATION',
      pathText: 'quadrants.hot.firstTouchWithin',
      line: 55,
      column: 63,
      message:
        '"24 hours" is not a duration; expected a number and a unit (m, h, d or w), like "90m", "24h", "3d" or "1h30m"',
    },
    {
      name: 'a sales quadrant without a first-touch deadline',
      lines: { 55: '  hot: { label: Hot, action: hand-to-sales }' },
      code: 'MISSING_FIRST_TOUCH',
      pathText: 'quadrants.hot',
      line: 55,
      column: 8,
      message:
        'quadrant "hot" hands leads to sales (hand-to-sales) but has no firstTouchWithin; add the first-touch deadline, like "24h"',
    },
    {
      name: 'a frequency rule on an unknown activity',
      lines: { 52: '    - { id: frequent, activity: page-views, atLeast: 10, withinDays: 7, points: 10 }' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'interest.frequency[0].activity',
      line: 52,
      column: 33,
      message: 'unknown activity "page-views"; expected one of demo, page-view; did you mean "page-view"?',
    },
    {
      name: 'an invalid reason that is not a reject reason',
      lines: { 67: '    invalidReasons: [spam, duplicate]' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'sla.marketing.invalidReasons[1]',
      line: 67,
      column: 28,
      message:
        'unknown reject reason "duplicate"; expected one of spam, no-budget (from feedback.rejectReasons)',
    },
    {
      name: 'no qualifying touches',
      lines: { 70: '    qualifyingTouches: []' },
      code: 'TOO_SMALL',
      pathText: 'sla.sales.qualifyingTouches',
      line: 70,
      column: 24,
      message:
        'qualifyingTouches needs at least one kind of touch (call, email, meeting, sms, social); without one no lead can ever be worked',
    },
    {
      name: 'a value outside its list of choices',
      lines: { 7: '    kind: seles' },
      code: 'INVALID_VALUE',
      pathText: 'teams[0].kind',
      line: 7,
      column: 11,
      message:
        'the text "seles" is not allowed here; expected one of marketing, sales; did you mean "sales"?',
    },
    {
      name: 'a condition with a misspelled kind',
      lines: { 23: '    entry: { feedbak: accept }' },
      code: 'INVALID_CONDITION',
      pathText: 'stages[2].entry',
      line: 23,
      column: 12,
      message:
        'expected a condition: a mapping with one of all, any, not, trait, persona, quadrant, activity, feedback, deal, fitGrade; "feedbak" is not one of them; did you mean "feedback"?',
    },
    {
      name: 'a trait condition with two operators',
      lines: { 34: '      when: { trait: employees, gte: 100, equals: 5 }' },
      code: 'INVALID_CONDITION',
      pathText: 'fit.rules[0].when',
      line: 34,
      column: 13,
      message:
        'a trait condition needs exactly one operator: equals, in, notIn, contains, gte, lte, between, exists (only gte and lte may be combined)',
    },
    {
      name: 'a fit rule about behaviour',
      lines: { 34: '      when: { activity: demo }' },
      code: 'CONDITION_NOT_ALLOWED',
      pathText: 'fit.rules[0].when.activity',
      line: 34,
      column: 25,
      message:
        'fit rules may only use all, any, not, trait, persona conditions, not activity: fit is about who the contact is; what they did belongs in interest',
    },
    {
      name: 'a stage owned by an unknown team',
      lines: { 22: '    owner: sales-tem' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'stages[2].owner',
      line: 22,
      column: 12,
      message:
        'unknown owner "sales-tem"; expected one of marketing, sales, sales-team; did you mean "sales-team"?',
    },
    {
      name: 'an id that is not a slug',
      lines: { 42: '    - id: Demo Request' },
      code: 'INVALID_FORMAT',
      pathText: 'interest.activities[0].id',
      line: 42,
      column: 11,
      message:
        '"Demo Request" is not a valid id; expected lowercase letters, digits and dashes, like "demo-requested"',
    },
    {
      name: 'a time zone that does not exist',
      lines: { 2: 'timezone: Europe/Pariss' },
      code: 'INVALID_TIMEZONE',
      pathText: 'timezone',
      line: 2,
      column: 11,
      message:
        '"Europe/Pariss" is not an IANA time zone; expected a name like "America/New_York", "Europe/Paris" or "UTC"',
    },
    {
      name: 'a persona defined through itself',
      lines: { 82: '    match: { any: [{ trait: seniority, in: [director] }, { persona: buyer }] }' },
      code: 'CIRCULAR_PERSONA',
      pathText: 'personas[0].match.any[1].persona',
      line: 82,
      column: 69,
      message:
        'persona "buyer" is defined through itself (buyer → buyer); a persona\'s match must not lead back to it',
    },
    {
      name: 'an unknown fit grade in a condition',
      lines: { 18: '    entry: { fitGrade: [A, C] }' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'stages[1].entry.fitGrade[1]',
      line: 18,
      column: 28,
      message: 'unknown fit grade "C"; expected one of A, B',
    },
    {
      name: 'an unknown quadrant',
      lines: { 18: '    entry: { quadrant: hto }' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'stages[1].entry.quadrant',
      line: 18,
      column: 24,
      message: 'unknown quadrant "hto"; expected one of hot, nurture, fan, drop; did you mean "hot"?',
    },
    {
      name: 'an unknown team for a persona',
      lines: { 83: '    team: sale-team' },
      code: 'UNKNOWN_REFERENCE',
      pathText: 'personas[0].team',
      line: 83,
      column: 11,
      message: 'unknown team "sale-team"; expected one of sales-team; did you mean "sales-team"?',
    },
    {
      name: 'a detour that requires a reason from an empty list',
      lines: { 29: '    reasons: lost' },
      code: 'EMPTY_REASON_LIST',
      pathText: 'detours[0].reasons',
      line: 29,
      column: 14,
      message:
        'detour "disqualified" requires a reason from feedback.lostReasons, but that list is empty; add reasons to it',
    },
    {
      name: 'a YAML syntax error',
      lines: { 12: '    label: Lead: x' },
      code: 'YAML_SYNTAX',
      pathText: '',
      line: 12,
      column: 12,
      message: 'invalid YAML: Nested mappings are not allowed in compact mappings',
    },
    {
      name: 'a key written twice',
      lines: { 13: '    label: Lead again' },
      code: 'YAML_SYNTAX',
      pathText: '',
      line: 13,
      column: 5,
      message: 'invalid YAML: Map keys must be unique',
    },
  ];

  test.each(brokenCases)('reports $name', ({ lines, code, pathText, line, column, message }) => {
    const issues = issuesOf(fixture(lines));
    expect(issues).toEqual([expect.objectContaining({ code, pathText, line, column, message })]);
  });

  test('reports one YAML syntax error per line, not the cascade after it', () => {
    const issues = issuesOf(fixture({ 6: '   label: Sales' }));
    expect(issues.map((issue) => [issue.code, issue.line, issue.column])).toEqual([
      ['YAML_SYNTAX', 6, 1],
      ['YAML_SYNTAX', 7, 11],
    ]);
    expect(issues[0]?.message).toBe('invalid YAML: Sequence item without - indicator');
  });

  test('reports every problem at once, in document order', () => {
    const issues = issuesOf(
      fixture({
        7: '    kind: seles',
        40: '  halfLifeDays: 0',
        55: '  hot: { label: Hot, action: hand-to-sales, firstTouchWithin: soon }',
      }),
    );
    expect(issues.map((issue) => [issue.code, issue.line])).toEqual([
      ['INVALID_VALUE', 7],
      ['TOO_SMALL', 40],
      ['INVALID_DURATION', 55],
    ]);
  });

  test('reports each unknown key of a mapping separately', () => {
    const issues = issuesOf(
      fixture({ 58: '  drop: { label: Drop, action: suppress, lable: x, colour: red }' }),
    );
    expect(issues.map((issue) => [issue.pathText, issue.column])).toEqual([
      ['quadrants.drop.lable', 42],
      ['quadrants.drop.colour', 52],
    ]);
    expect(issues[0]?.message).toContain('did you mean "label"?');
  });

  test('keeps the path of an issue as segments', () => {
    const [issue] = issuesOf(fixture({ 14: '    moves: [mql, sqll]' }));
    expect(issue?.path).toEqual(['stages', 0, 'moves', 1]);
  });

  test.each([
    ['a list', '- just\n- a list\n', 'expected a mapping (key: value lines), got a list'],
    ['empty', '', 'expected a mapping (key: value lines), got an empty value'],
    ['only comments', '# nothing agreed yet\n', 'expected a mapping (key: value lines), got an empty value'],
  ])('points at the document start when the text is %s', (_name, text, message) => {
    expect(issuesOf(text)).toEqual([
      { code: 'INVALID_TYPE', path: [], pathText: '', line: 1, column: 1, message },
    ]);
  });

  test('warns about a sales team without reps but still accepts the agreement', () => {
    const result = parseAgreement(fixture({ 8: '    reps: []', 9: '    holidays: ["2027-12-25"]' }));
    expect(result).toEqual({
      ok: true,
      agreement: expect.anything(),
      warnings: [
        expect.objectContaining({
          code: 'TEAM_WITHOUT_REPS',
          pathText: 'teams[0].reps',
          line: 8,
          column: 11,
        }),
      ],
    });
  });

  const warningCases: Omit<BrokenCase, 'name'>[] = [
    {
      lines: { 38: '    - { grade: B, max: 30 }' },
      code: 'GRADE_GAP',
      pathText: 'fit.grades[0]',
      line: 37,
      column: 7,
      message: 'no fit grade covers scores above 30 and below 40; widen "B" or "A"',
    },
    {
      lines: { 51: '  groupCaps: { web: 20 }\n  frequency:' },
      code: 'UNUSED_GROUP_CAP',
      pathText: 'interest.groupCaps.web',
      line: 51,
      column: 21,
      message:
        'no activity is in group "web", so its cap does nothing; set "group: web" on the activities it should cap',
    },
    {
      lines: { 72: '      - { after: 4h, action: notify-manager }\n      - { after: 2h, action: reassign }' },
      code: 'ESCALATION_ORDER',
      pathText: 'sla.sales.escalation[1].after',
      line: 73,
      column: 18,
      message: 'escalation steps should come in order of time; "2h" is not later than the step before ("4h")',
    },
    {
      lines: { 56: '  nurture: { label: Nurture, action: nurture, firstTouchWithin: 2d }' },
      code: 'UNUSED_FIRST_TOUCH',
      pathText: 'quadrants.nurture.firstTouchWithin',
      line: 56,
      column: 65,
      message: 'quadrant "nurture" does not go to sales (nurture), so its firstTouchWithin is never used',
    },
  ];

  test.each(warningCases)(
    'warns with $code but accepts the agreement',
    ({ lines, code, pathText, line, column, message }) => {
      const result = parseAgreement(fixture(lines));
      expect(result).toEqual({
        ok: true,
        agreement: expect.anything(),
        warnings: [expect.objectContaining({ code, pathText, line, column, message })],
      });
    },
  );

  test('warns about a stage that only a person can move contacts into', () => {
    const result = parseAgreement(fixture({ 23: '    description: Accepted by sales' }));
    expect(result.ok && result.warnings).toEqual([
      expect.objectContaining({ code: 'STAGE_WITHOUT_ENTRY', pathText: 'stages[2]', line: 20, column: 5 }),
    ]);
  });
});
