import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { createActivityClassifier, globToRegExp } from './classify-activity.ts';
import { normalizeSegmentMessage } from './segment-message.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement must parse');
const classify = createActivityClassifier(parsed.agreement);

function message(raw: Record<string, unknown>) {
  const result = normalizeSegmentMessage(
    { anonymousId: 'a', ...raw },
    { receivedAt: new Date('2026-01-01T00:00:00Z') },
  );
  if (!result.ok) throw new Error(result.detail);
  return result.message;
}

describe('createActivityClassifier', () => {
  test.each([
    [{ type: 'track', event: 'Demo Requested' }, 'demo-requested'],
    [{ type: 'track', event: 'Webinar Attended' }, 'webinar-attended'],
    [{ type: 'track', event: 'demo requested' }, undefined],
    [{ type: 'track', event: 'Something Else' }, undefined],
    [{ type: 'page', properties: { path: '/pricing' } }, 'pricing-viewed'],
    [{ type: 'page', properties: { path: '/pricing/enterprise/' } }, 'pricing-viewed'],
    [{ type: 'page', properties: { path: '/careers' } }, 'careers-viewed'],
    [{ type: 'page', properties: { path: '/blog/hello' } }, 'page-viewed'],
    [{ type: 'page' }, 'page-viewed'],
    [{ type: 'identify' }, undefined],
  ])('classifies %j as %s', (raw, expected) => {
    expect(classify(message(raw))).toBe(expected);
  });
});

describe('globToRegExp', () => {
  test.each([
    ['/pricing', '/pricing', true],
    ['/pricing', '/pricing/', true],
    ['/pricing', '/pricing-old', false],
    ['/blog/*', '/blog/a', true],
    ['/blog/*', '/blog/a/b', false],
    ['/docs/**', '/docs/a/b/c', true],
    ['/a.b', '/axb', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
