import { describe, expect, test } from 'vitest';
import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { createAgreementModel, globToRegExp } from './agreement-model.ts';
import { createRandom } from './random.ts';

function agreementFrom(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

const day = 86_400_000;
const model = createAgreementModel(agreementFrom(defaultAgreementYaml));

describe('globToRegExp', () => {
  test.each([
    ['/pricing', '/pricing', true],
    ['/pricing', '/pricing/', true],
    ['/pricing', '/pricing/enterprise', false],
    ['/pricing/**', '/pricing/enterprise', true],
    ['/pricing/**', '/pricing/a/b', true],
    ['/jobs/*', '/jobs/engineer', true],
    ['/jobs/*', '/jobs/a/b', false],
    ['/a.b', '/aXb', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('createAgreementModel', () => {
  test('classifies events and pages as the default agreement defines them', () => {
    expect(model.classify({ type: 'track', event: 'Demo Requested' })).toEqual(['demo-requested']);
    expect(model.classify({ type: 'page', path: '/pricing/enterprise' })).toEqual([
      'pricing-viewed',
      'page-viewed',
    ]);
    expect(model.classify({ type: 'page', path: '/jobs/account-executive' })).toEqual([
      'page-viewed',
      'careers-viewed',
    ]);
    expect(model.classify({ type: 'track', event: 'Email Opened' })).toEqual([]);
  });

  test('maps every behaviour to its namesake activity in the default agreement', () => {
    expect(Object.fromEntries(Object.values(model.behaviours).map((b) => [b.id, b.activityId]))).toEqual({
      'demo-request': 'demo-requested',
      'pricing-view': 'pricing-viewed',
      'webinar-registration': 'webinar-registered',
      'webinar-attendance': 'webinar-attended',
      'content-download': 'content-downloaded',
      'form-submission': 'form-submitted',
      'email-click': 'email-clicked',
      unsubscribe: 'unsubscribed',
      'careers-view': 'careers-viewed',
      'page-view': 'page-viewed',
    });
  });

  test('sends the event names and pages a different agreement expects', () => {
    const custom = createAgreementModel(
      agreementFrom(
        defaultAgreementYaml
          .replace('match: { events: [Demo Requested] }', 'match: { events: [Meeting Booked] }')
          .replace('pages: ["/pricing", "/pricing/**"]', 'pages: ["/plans/**"]'),
      ),
    );
    expect(custom.behaviours['demo-request']).toMatchObject({
      event: 'Meeting Booked',
      activityId: 'demo-requested',
    });
    const pricing = custom.behaviours['pricing-view'];
    expect(pricing.kind === 'page' && pricing.pages.map((p) => p.path)).toEqual(['/plans/overview']);
    expect(pricing.activityId).toBe('pricing-viewed');
  });

  test('adds the fit points of the rules a contact matches and grades them', () => {
    const traits = {
      employees: 200,
      industry: 'software',
      seniority: 'vp',
      department: 'marketing',
      buyingRole: 'budget-holder',
      emailType: 'business',
      title: 'VP of Marketing',
    };
    // mid-market 25 + industry 20 + senior 20 + decision-maker 15 + persona 10
    expect(model.fitPoints(traits)).toBe(90);
    expect(model.fitGrade(90)).toBe('A');
    expect(model.fitPoints({ title: 'Marketing Intern', emailType: 'free' })).toBe(-70);
    expect(model.fitGrade(-70)).toBe('D');
    expect(model.lowestGrade).toBe('D');
  });

  test('decays interest with the half-life and applies caps and group caps', () => {
    const now = 100 * day;
    expect(model.interestAt([{ at: now, activityIds: ['demo-requested'] }], now)).toBe(50);
    expect(model.interestAt([{ at: now - 30 * day, activityIds: ['demo-requested'] }], now)).toBeCloseTo(25);
    const pricing = Array.from({ length: 6 }, () => ({
      at: now,
      activityIds: ['pricing-viewed', 'page-viewed'],
    }));
    // pricing capped at 30, page views at 6, the website group at 35
    expect(model.interestAt(pricing, now)).toBe(35);
    expect(model.interestAt([{ at: now + day, activityIds: ['demo-requested'] }], now)).toBe(0);
  });

  test('places leads in quadrants and knows which go to sales', () => {
    expect(model.quadrantOf(50, 40)).toBe('hot');
    expect(model.quadrantOf(50, 39)).toBe('nurture');
    expect(model.quadrantOf(10, 60)).toBe('fan');
    expect(model.quadrantOf(10, 10)).toBe('drop');
    expect(['hot', 'nurture', 'fan', 'drop'].filter((q) => model.handsToSales(q as 'hot'))).toEqual([
      'hot',
      'fan',
    ]);
    expect(model.firstTouchMinutes('hot')).toBe(24 * 60);
    expect(model.firstTouchMinutes('fan')).toBe(3 * 24 * 60);
  });

  test('routes by rule, then persona team, then the default team', () => {
    expect(model.routeTeam({ employees: 5000 })?.id).toBe('enterprise-sales');
    expect(model.routeTeam({ department: 'sales', seniority: 'vp', employees: 100 })?.id).toBe(
      'enterprise-sales',
    );
    expect(model.routeTeam({ employees: 100 })?.id).toBe('inside-sales');
  });

  test('picks reps by capacity and never an away rep', () => {
    const custom = createAgreementModel(
      agreementFrom(defaultAgreementYaml.replace('capacity: 1, away: false', 'capacity: 1, away: true')),
    );
    const team = custom.staffedTeams.find((t) => t.id === 'enterprise-sales');
    if (!team) throw new Error('no enterprise team');
    const random = createRandom(1);
    const picks = new Set(Array.from({ length: 200 }, () => custom.pickRep(team, random)));
    expect(picks).toEqual(new Set(['taylor']));
  });
});
