import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { layoutSpecs } from '../import/layouts/index.ts';
import { createRowMapper } from '../import/map-row.ts';
import { planImport } from '../import/plan-import.ts';
import { dropReasons, normalizeSegmentMessage } from '../ingest/segment-message.ts';

/**
 * Property tests over the three doors hostile input comes through: the Segment pipeline, the
 * agreement loader and the CSV row mapper. Whatever comes in, each answers (accepts, or refuses
 * with a reason from its closed list) and never throws, hangs or pollutes shared prototypes.
 */

const runs = { numRuns: 300 };
const receivedAt = new Date('2027-03-01T12:00:00Z');

/** Keys that have broken JavaScript services before. */
const nastyKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const nastyStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    "Robert'); DROP TABLE contacts;--",
    '\u0000\u0001\u001f',
    '\ud800', // a lone surrogate: invalid UTF-16, becomes U+FFFD in UTF-8
    '\uFEFF',
    '9'.repeat(400),
    'x'.repeat(40_000),
    '1e309',
    '-0',
    'NaN',
    '0000-00-00T00:00:00Z',
    '275760-09-13T00:00:00.001Z',
    '{{7*7}}',
    '../../etc/passwd',
  ),
  fc.constantFrom(...nastyKeys),
);

const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyStrings,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc
      .date({ noInvalidDate: false })
      .map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...nastyKeys)), tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** Messages that look like Segment calls, with any field possibly replaced by something hostile. */
const segmentish = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('track', 'page', 'identify', 'group', 'alias', 'screen', 'TRACK', ''),
      hostileJson,
    ),
    event: fc.oneof(fc.string(), hostileJson),
    userId: fc.oneof(fc.string(), fc.integer(), hostileJson),
    anonymousId: fc.oneof(fc.uuid(), hostileJson),
    messageId: fc.oneof(fc.string(), hostileJson),
    timestamp: fc.oneof(
      fc.date().map((date) => (Number.isNaN(date.getTime()) ? 'nope' : date.toISOString())),
      hostileJson,
    ),
    sentAt: hostileJson,
    properties: hostileJson,
    traits: hostileJson,
    context: hostileJson,
  },
  { requiredKeys: [] },
);

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? { a: value } : [value];
  return value;
}

describe('the Segment pipeline under hostile messages', () => {
  test('answers every message with a normalised message or a drop reason from the closed list', () => {
    fc.assert(
      fc.property(fc.oneof(segmentish, hostileJson), hostileJson, (raw, batchSentAt) => {
        const result = normalizeSegmentMessage(raw, { receivedAt, batchSentAt });
        if (result.ok) {
          expect(typeof result.message.messageId).toBe('string');
          expect(Number.isNaN(result.message.occurredAt.getTime())).toBe(false);
          expect(result.message.userId !== undefined || result.message.anonymousId !== undefined).toBe(true);
        } else {
          expect(dropReasons).toContain(result.reason);
          expect(typeof result.detail).toBe('string');
        }
      }),
      runs,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('prototype-pollution keys stay plain data', () => {
    const raw = JSON.parse(
      '{"type":"track","event":"x","anonymousId":"a","properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}},"context":{"__proto__":{"polluted":true}}}',
    ) as unknown;
    const result = normalizeSegmentMessage(raw, { receivedAt });
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test.each([10, 50, 70, 5_000, 100_000])(
    'a message nested %i levels deep is answered, never a stack overflow',
    (depth) => {
      const result = normalizeSegmentMessage(
        { type: 'track', event: 'x', anonymousId: 'a', properties: { nested: deeplyNested(depth) } },
        { receivedAt },
      );
      if (depth >= 64) expect(result).toMatchObject({ ok: false, reason: 'invalid-field' });
      else expect(result.ok).toBe(true);
    },
  );
});

describe('the agreement loader under broken documents', () => {
  const lines = defaultAgreementYaml.split('\n');

  test('any text is answered with an agreement or located issues, never an exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const result = parseAgreement(text);
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
      }),
      runs,
    );
  });

  test('the default agreement with lines deleted, duplicated or mangled gives issues that point inside the document', () => {
    const edit = fc.record({
      line: fc.nat({ max: lines.length - 1 }),
      action: fc.constantFrom('delete', 'duplicate', 'replace', 'indent'),
      text: nastyStrings,
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const changed = [...lines];
        for (const { line, action, text } of edits) {
          const at = Math.min(line, changed.length - 1);
          if (action === 'delete') changed.splice(at, 1);
          if (action === 'duplicate') changed.splice(at, 0, changed[at] ?? '');
          if (action === 'replace') changed[at] = `${(changed[at] ?? '').slice(0, 10)}${text}`;
          if (action === 'indent') changed[at] = `   ${changed[at] ?? ''}`;
        }
        const result = parseAgreement(changed.join('\n'));
        if (result.ok) return;
        for (const issue of result.issues) {
          expect(typeof issue.message).toBe('string');
          if (issue.line !== undefined) {
            expect(issue.line).toBeGreaterThanOrEqual(1);
            expect(issue.line).toBeLessThanOrEqual(changed.length + 1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the CSV row mapper under hostile cells', () => {
  test.each(layoutSpecs.map((spec) => [`${spec.layout}/${spec.kind}`, spec] as const))(
    '%s maps or refuses any row with a row-numbered error, never throws',
    (_, spec) => {
      const header = spec.columns.map((column) => column.headers[0] ?? column.field);
      const planned = planImport({ header, layout: spec.layout, kind: spec.kind, rep: 'alex' });
      if (!planned.ok) return; // layouts needing reference files cannot be planned from a header alone
      const mapper = createRowMapper(planned.plan);
      fc.assert(
        // The CSV reader hands the mapper rows of the header's width (a row of another width is a
        // row-numbered file error before it gets here), so the cells are what varies.
        fc.property(
          fc.array(nastyStrings, { minLength: header.length, maxLength: header.length }),
          fc.nat(1_000_000),
          (cells, line) => {
            const result = mapper.mapRow(cells, line + 2);
            if (!result.ok) {
              expect(result.error.row).toBe(line + 2);
              expect(typeof result.error.message).toBe('string');
            }
          },
        ),
        { numRuns: 150 },
      );
    },
  );
});
