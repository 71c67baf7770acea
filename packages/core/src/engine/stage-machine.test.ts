import { describe, expect, test } from 'vitest';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import {
  allowedMoves,
  detourFor,
  type FunnelPosition,
  planManualMove,
  planRuleMove,
  reachableStages,
  returnFromDetour,
  takeDetour,
} from './stage-machine.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;
const stages = agreement.stages.map((stage) => stage.id);

const at = (stage: string): FunnelPosition => ({ stage, since: 1, furthest: stage, episodeStart: 0 });
const onDetour = (id: string, from: string, returnAt?: number): FunnelPosition => ({
  stage: id,
  since: 1,
  furthest: from,
  episodeStart: 0,
  detour: { id, from, ...(returnAt === undefined ? {} : { returnAt }) },
});

/** For every stage and every target, whether a person may move a contact there without a reason. */
const forwardTable: [from: string, allowed: string[]][] = [
  ['subscriber', ['lead', 'mql']],
  ['lead', ['mql', 'disqualified']],
  ['mql', ['sql', 'recycled', 'disqualified']],
  ['sql', ['opportunity', 'recycled', 'disqualified']],
  ['opportunity', ['customer', 'lost']],
  ['customer', []],
];

describe('manual moves, every pair of stage and target', () => {
  const targets = [...stages, ...agreement.detours.map((detour) => detour.id)];
  const reasons: Record<string, string> = { recycled: 'not-now', disqualified: 'spam', lost: 'price' };

  test.each(forwardTable)('from %s, allowed: %j', (from, allowed) => {
    expect(allowedMoves(agreement, at(from))).toEqual(allowed);
    for (const to of targets) {
      const backwards = stages.indexOf(to) !== -1 && stages.indexOf(to) < stages.indexOf(from);
      const result = planManualMove(agreement, at(from), to, {
        at: 10,
        cause: 'person',
        ...(reasons[to] === undefined ? {} : { reason: reasons[to] }),
      });
      expect({ to, ok: result.ok }).toEqual({ to, ok: allowed.includes(to) });
      if (backwards) {
        // Back to an earlier stage: a correction, which needs a reason.
        const withReason = planManualMove(agreement, at(from), to, {
          at: 10,
          cause: 'person',
          reason: 'wrong stage',
        });
        expect(withReason.ok).toBe(true);
      }
    }
  });

  test('refusals say why and what is allowed', () => {
    const result = planManualMove(agreement, at('mql'), 'customer', { at: 10, cause: 'person' });
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'ILLEGAL_MOVE',
        message:
          'a contact in mql cannot move to customer; allowed: sql, recycled, disqualified (or back to an earlier stage, with a reason)',
      },
    });
    expect(planManualMove(agreement, at('mql'), 'nowhere', { at: 10, cause: 'person' })).toMatchObject({
      ok: false,
      refusal: { code: 'UNKNOWN_STAGE' },
    });
    expect(planManualMove(agreement, at('mql'), 'recycled', { at: 10, cause: 'person' })).toMatchObject({
      ok: false,
      refusal: { code: 'REASON_REQUIRED' },
    });
    expect(
      planManualMove(agreement, at('mql'), 'recycled', { at: 10, cause: 'person', reason: 'spam' }),
    ).toMatchObject({
      ok: false,
      refusal: {
        code: 'UNKNOWN_REASON',
        message: expect.stringContaining('not-now, no-response, wrong-contact'),
      },
    });
    expect(planManualMove(agreement, at('lead'), 'subscriber', { at: 10, cause: 'person' })).toMatchObject({
      ok: false,
      refusal: { code: 'REASON_REQUIRED' },
    });
  });

  test('on a detour, the only move is back to where it returns', () => {
    expect(allowedMoves(agreement, onDetour('recycled', 'mql'))).toEqual(['lead']);
    expect(allowedMoves(agreement, onDetour('disqualified', 'mql'))).toEqual([]);
    expect(
      planManualMove(agreement, onDetour('recycled', 'mql'), 'lead', { at: 10, cause: 'person' }),
    ).toMatchObject({
      ok: true,
      position: { stage: 'lead', episodeStart: 10 },
    });
    expect(
      planManualMove(agreement, onDetour('disqualified', 'mql'), 'lead', { at: 10, cause: 'person' }).ok,
    ).toBe(false);
    expect(
      planManualMove(agreement, onDetour('recycled', 'mql'), 'disqualified', {
        at: 10,
        cause: 'person',
        reason: 'spam',
      }).ok,
    ).toBe(false);
  });
});

describe('rule moves', () => {
  test('skip ahead to the furthest reachable stage whose entry holds', () => {
    expect(reachableStages(agreement, 'subscriber').map((stage) => stage.id)).toEqual([
      'lead',
      'mql',
      'sql',
      'opportunity',
      'customer',
    ]);
    const holds = new Set(['lead', 'opportunity']);
    expect(planRuleMove(agreement, at('subscriber'), (stage) => holds.has(stage.id))?.id).toBe('opportunity');
    expect(planRuleMove(agreement, at('customer'), () => true)).toBeUndefined();
    expect(planRuleMove(agreement, onDetour('recycled', 'mql'), () => true)).toBeUndefined();
  });
});

describe('detours', () => {
  test('feedback and lost deals find their detour from the stages it leaves', () => {
    expect(detourFor(agreement, at('mql'), 'recycle')?.id).toBe('recycled');
    expect(detourFor(agreement, at('lead'), 'recycle')).toBeUndefined();
    expect(detourFor(agreement, at('lead'), 'reject')?.id).toBe('disqualified');
    expect(detourFor(agreement, at('opportunity'), 'lost')?.id).toBe('lost');
    expect(detourFor(agreement, at('sql'), 'lost')).toBeUndefined();
  });

  test('a detour keeps the furthest stage and returns to its stage, starting a new episode', () => {
    const recycled = agreement.detours.find((detour) => detour.id === 'recycled');
    if (recycled === undefined) throw new Error('no recycled detour');
    const taken = takeDetour(agreement, { ...at('sql'), furthest: 'sql' }, recycled, {
      at: 100,
      cause: 'person',
      reason: 'not-now',
      returnAt: 500,
    });
    expect(taken).toMatchObject({
      ok: true,
      position: {
        stage: 'recycled',
        furthest: 'sql',
        detour: { from: 'sql', reason: 'not-now', returnAt: 500 },
      },
      move: { from: 'sql', to: 'recycled', cause: 'person', reason: 'not-now' },
    });
    if (!taken.ok) return;
    const back = returnFromDetour(agreement, taken.position, 500);
    expect(back).toMatchObject({
      position: { stage: 'lead', furthest: 'sql', episodeStart: 500 },
      move: { from: 'recycled', to: 'lead', cause: 'system', ruleId: 'return:recycled' },
    });
    expect(back?.position.detour).toBeUndefined();
    expect(returnFromDetour(agreement, onDetour('disqualified', 'mql'), 500)).toBeUndefined();
  });
});
