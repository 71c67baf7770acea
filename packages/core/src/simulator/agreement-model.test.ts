import { describe, expect, test } from 'vitest';
import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { createAgreementModel, globToRegExp } from './agreement-model.ts';

function agreementFrom(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

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

  test('lists the feedback reasons of the agreement', () => {
    expect(model.reasons).toEqual({
      reject: ['spam', 'duplicate', 'student', 'competitor', 'no-budget', 'not-icp'],
      recycle: ['not-now', 'no-response', 'wrong-contact'],
      lost: ['price', 'competitor-won', 'no-decision', 'missing-feature'],
    });
  });
});
