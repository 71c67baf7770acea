import { describe, expect, test } from 'vitest';
import { defaultAgreement, moves } from './test-world.ts';
import { becameLeadAt, buildTimelines, entriesIn, leadStageOf } from './timeline.ts';

describe('buildTimelines', () => {
  test('reads a merged person as one timeline: a merged contact starting again is not a new entry', () => {
    // Contact a started first; contact b, merged into the same person, started later and moved on.
    const rows = [
      ...moves('x', ['subscriber', '2027-03-01T10:00:00Z'], ['lead', '2027-03-02T10:00:00Z']),
      ...moves(
        'x',
        ['subscriber', '2027-03-03T10:00:00Z'],
        ['lead', '2027-03-04T10:00:00Z'],
        ['mql', '2027-03-05T10:00:00Z'],
      ),
    ];
    const [timeline] = buildTimelines(rows.reverse());
    expect(timeline?.entries.map((entry) => entry.stage)).toEqual(['subscriber', 'lead', 'mql']);
    expect(timeline?.entries.map((entry) => new Date(entry.at).toISOString().slice(0, 10))).toEqual([
      '2027-03-01',
      '2027-03-02',
      '2027-03-05',
    ]);
  });

  test('orders moves at the same instant by the fact order', () => {
    const rows = moves('y', ['subscriber', '2027-03-01T10:00:00Z'], ['lead', '2027-03-01T10:00:00Z']);
    expect(buildTimelines(rows)[0]?.entries.map((entry) => entry.stage)).toEqual(['subscriber', 'lead']);
  });
});

describe('lead stage and entries', () => {
  const agreement = defaultAgreement();

  test('the lead stage is the one before the marketing SLA stage', () => {
    expect(leadStageOf(agreement)).toBe('lead');
    expect(
      leadStageOf({
        ...agreement,
        sla: { ...agreement.sla, marketing: { ...agreement.sla.marketing, stage: 'subscriber' } },
      }),
    ).toBe('subscriber');
  });

  test('a person skipping the lead stage becomes a lead when it enters a later stage', () => {
    const [timeline] = buildTimelines(
      moves('z', ['subscriber', '2027-03-01T00:00:00Z'], ['mql', '2027-03-02T00:00:00Z']),
    );
    expect(timeline && becameLeadAt(timeline, agreement)).toBe(Date.parse('2027-03-02T00:00:00Z'));
  });

  test('counts the first entry in a range and the further ones', () => {
    const [timeline] = buildTimelines(
      moves(
        'r',
        ['mql', '2027-03-01T00:00:00Z'],
        ['recycled', '2027-03-02T00:00:00Z'],
        ['mql', '2027-03-03T00:00:00Z'],
      ),
    );
    const found =
      timeline &&
      entriesIn(timeline, 'mql', Date.parse('2027-03-01T00:00:00Z'), Date.parse('2027-04-01T00:00:00Z'));
    expect(found).toMatchObject({ index: 0, more: 1 });
  });
});
