import { describe, expect, test } from 'vitest';
import type { ClogReport } from '../reports/clogs.ts';
import type { LeadFlowReport } from '../reports/lead-flow.ts';
import type { SlaReport } from '../reports/sla.ts';
import { defaultAgreement } from '../reports/test-world.ts';
import type { WaterfallReport } from '../reports/waterfall.ts';
import { assembleBrief, type FeedbackFact } from './brief.ts';
import { resolveBriefWeek } from './brief-week.ts';
import { renderBriefHtml } from './render-html.ts';
import { renderBriefMarkdown } from './render-markdown.ts';

const agreement = defaultAgreement();
const asOf = new Date('2027-03-08T14:00:00Z');
const week = {
  label: '2027-W09',
  from: new Date('2027-03-01T05:00:00Z'),
  to: new Date('2027-03-08T05:00:00Z'),
  timezone: 'America/New_York',
};

const row = (label: string, leads: number, mqls: number, relative: number | null) => ({
  label,
  leads,
  newLeads: leads - 1,
  mqls,
  change: { mqls: { absolute: 0, relative } },
});

// Only the fields the brief reads; the reports themselves are tested with their builders.
const leadFlow = {
  rows: [row('2027-W08', 30, 10, null), row('2027-W09', 25, 6, -0.4)],
} as unknown as LeadFlowReport;
const waterfall = {
  stages: ['lead', 'mql', 'sql'],
  cohorts: [{ label: '2027-W09', size: 20, offsets: [{ offset: 0, reached: { lead: 20, mql: 5, sql: 1 } }] }],
} as unknown as WaterfallReport;
const figures = (team: string | null, due: number, compliance: number | null, openBreaches: number) => ({
  team,
  due,
  compliance,
  breaches: openBreaches + 1,
  openBreaches,
});
const sla = {
  period: { label: '2027-03' },
  marketing: {
    total: {
      value: 40,
      target: 400,
      attainment: 0.1,
      pace: { expected: 100, projected: 130, onPace: false },
    },
  },
  sales: {
    target: 0.9,
    total: { ...figures(null, 20, 0.85, 2), met: false },
    teams: [
      figures('inside-sales', 12, 0.75, 2),
      figures('enterprise-sales', 8, 1, 0),
      figures('demand-gen', 3, 0, 0),
    ],
  },
} as unknown as SlaReport;
const clogs = { clogs: [] } as unknown as ClogReport;

const fact = (
  verdict: FeedbackFact['verdict'],
  reason: string,
  at: string,
  comment: string | null = null,
) => ({
  verdict,
  reason,
  comment,
  at: Date.parse(at),
});

function brief(feedbackWeek: FeedbackFact[] = [], previous: FeedbackFact[] = []) {
  return assembleBrief({
    week,
    agreement,
    agreementVersion: 7,
    asOf,
    averageDealSize: 20_000,
    wins: [
      {
        id: 'd1',
        name: 'Small deal',
        amount: 5_000,
        currency: 'USD',
        account: 'Beta',
        contact: null,
        closeDate: '2027-03-02',
      },
      {
        id: 'd2',
        name: 'Globex <renewal>',
        amount: 45_000,
        currency: 'USD',
        account: 'Globex',
        contact: null,
        closeDate: '2027-03-04',
      },
    ],
    announcements: [
      {
        id: 'a1',
        kind: 'product',
        title: 'Forecasts <script>alert(1)</script>',
        body: 'Per rep | per team',
        link: 'https://example.com/launch',
        effectiveAt: new Date('2027-03-02T14:00:00Z'),
      },
    ],
    leadFlow,
    waterfall,
    sla,
    clogs,
    feedback: { week: feedbackWeek, previous },
  });
}

describe('resolveBriefWeek', () => {
  test('resolves an ISO week in the agreement time zone, and defaults to the last full week', () => {
    expect(resolveBriefWeek('2027-W09', asOf, agreement)).toEqual({ ok: true, value: { ...week } });
    // 8 March 2027 is a Monday (week 10): the last full week is week 9.
    expect(resolveBriefWeek(undefined, asOf, agreement)).toEqual({ ok: true, value: { ...week } });
    const bad = resolveBriefWeek('2027-09', asOf, agreement);
    expect(bad.ok).toBe(false);
    // 2027 starts on a Friday: it has 52 ISO weeks (2026, starting on a Thursday, has 53).
    expect(resolveBriefWeek('2027-W53', asOf, agreement).ok).toBe(false);
    expect(resolveBriefWeek('2026-W53', asOf, agreement).ok).toBe(true);
  });
});

describe('assembleBrief', () => {
  test('lists the wins, largest first, flagging those at least twice the average deal size', () => {
    const { wins } = brief();
    expect(wins).toMatchObject({ count: 2, revenue: 50_000, bigThreshold: 40_000 });
    expect(wins.deals.map((deal) => [deal.id, deal.big])).toEqual([
      ['d2', true],
      ['d1', false],
    ]);
  });

  test('groups the week’s feedback by reason, with its share against the weeks before and comments', () => {
    const themes = brief(
      [
        fact('reject', 'spam', '2027-03-02T10:00:00Z', 'Fake name'),
        fact('reject', 'spam', '2027-03-03T10:00:00Z', '  '),
        fact('reject', 'spam', '2027-03-04T10:00:00Z', 'Bot sign-up'),
        fact('reject', 'no-budget', '2027-03-04T11:00:00Z'),
        fact('recycle', 'not-now', '2027-03-05T11:00:00Z', 'Call in Q3'),
      ],
      [
        fact('reject', 'spam', '2027-02-10T10:00:00Z'),
        fact('reject', 'no-budget', '2027-02-11T10:00:00Z'),
        fact('reject', 'no-budget', '2027-02-12T10:00:00Z'),
        fact('reject', 'no-budget', '2027-02-13T10:00:00Z'),
      ],
    ).feedbackThemes;
    expect(themes[0]).toEqual({
      verdict: 'reject',
      reason: 'spam',
      label: expect.any(String),
      count: 3,
      share: 0.75,
      previousShare: 0.25,
      previousCount: 1,
      examples: ['Bot sign-up', 'Fake name'],
    });
    expect(themes.map((theme) => [theme.verdict, theme.reason, theme.count])).toEqual(
      expect.arrayContaining([
        ['reject', 'no-budget', 1],
        ['recycle', 'not-now', 1],
      ]),
    );
    expect(themes).toHaveLength(3);
  });

  test('raises questions by its explicit rules only when their conditions hold', () => {
    const rules = (b: ReturnType<typeof brief>) => b.questions.map((question) => question.rule);
    const quiet = brief();
    // inside-sales 75 % of 12 < 90 %; the total 85 % of 20 < 90 %; demand-gen has only 3 due.
    // Marketing behind pace; 2 open breaches; MQLs 10 → 6 (−40 %).
    expect(rules(quiet)).toEqual([
      'sales-compliance-below-target',
      'sales-compliance-below-target',
      'open-breaches',
      'marketing-behind-pace',
      'mql-drop',
    ]);
    expect(quiet.questions[0]?.question).toMatch(/^Team Inside sales worked 75% of its leads/i);
    const spam = [1, 2, 3].map((day) => fact('reject', 'spam', `2027-03-0${day + 1}T10:00:00Z`));
    // 3 of 3 rejections (100 %) against 1 of 4 (25 %): doubled.
    expect(
      rules(
        brief(spam, [
          fact('reject', 'spam', '2027-02-10T10:00:00Z'),
          ...[1, 2, 3].map(() => fact('reject', 'no-budget', '2027-02-11T10:00:00Z')),
        ]),
      )[0],
    ).toBe('reject-reason-doubled');
    // 3 of 3 against 2 of 3 (67 %): not doubled.
    const steady = [
      fact('reject', 'spam', '2027-02-10T10:00:00Z'),
      fact('reject', 'spam', '2027-02-11T10:00:00Z'),
      fact('reject', 'no-budget', '2027-02-11T10:00:00Z'),
    ];
    expect(rules(brief(spam, steady))).not.toContain('reject-reason-doubled');
    // Two rejections are too few to raise anything.
    expect(rules(brief(spam.slice(0, 2)))).not.toContain('reject-reason-doubled');
  });
});

describe('renderBriefMarkdown and renderBriefHtml', () => {
  test('write every section, escaping what people typed', () => {
    const markdown = renderBriefMarkdown(brief([fact('reject', 'spam', '2027-03-02T10:00:00Z', 'a | b')]));
    for (const heading of [
      'Wins',
      'Announcements',
      'Lead flow',
      'Lead waterfall',
      'SLA standing (2027-03)',
      'Clogs',
      'Feedback themes',
      'Open questions',
    ]) {
      expect(markdown).toContain(`## ${heading}`);
    }
    expect(markdown).toContain('# Weekly brief 2027-W09');
    expect(markdown).toContain('2027-03-01 to 2027-03-07 (America/New_York)');
    expect(markdown).toContain('Forecasts &lt;script>alert(1)&lt;/script>');
    expect(markdown).toContain('Per rep \\| per team');
    expect(markdown).toContain('| 2027-W09 | 25 | 24 | 6 |');
    expect(markdown).toContain('USD 45,000');
    expect(markdown).toContain('This week: 6 MQLs (−40% from the week before).');
  });

  test('make one self-contained, printable HTML page with inline SVG charts and no script', () => {
    const html = renderBriefHtml(
      brief([fact('reject', 'spam', '2027-03-02T10:00:00Z', '<img src=x onerror=alert(1)>')]),
    );
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@media print');
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<a href="https://example.com/launch" rel="noopener noreferrer">');
    // Nothing is fetched: the only URLs are the announcement link and the SVG namespace.
    expect(html.match(/(?:src|href)="/g)).toEqual(['href="']);
  });
});
