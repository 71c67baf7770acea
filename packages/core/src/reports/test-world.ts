import type { Agreement } from '../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../agreement/default-agreement.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import { buildTimelines, type TransitionInput } from './timeline.ts';

/** The default agreement (New York time, monthly SLA of 400 points), for report tests. */
export function defaultAgreement(): Agreement {
  const parsed = parseAgreement(defaultAgreementYaml);
  if (!parsed.ok) throw new Error('the default agreement does not parse');
  return parsed.agreement;
}

let seq = 0;

/** A person's moves as `[stage, ISO instant]` pairs, the first one its start. */
export function moves(personId: string, ...steps: [string, string][]): TransitionInput[] {
  return steps.map(([toStage, at], index) => ({
    personId,
    fromStage: index === 0 ? null : (steps[index - 1]?.[0] ?? null),
    toStage,
    at: Date.parse(at),
    seq: ++seq,
  }));
}

/**
 * Five people around March 2027 in New York (EST until 14 March, EDT after):
 * p1 goes lead → MQL → SQL in March; p2 skips the lead stage, is recycled and qualifies again;
 * p3 starts at 23:30 on 31 March local time (already April in UTC); p4 was an MQL in January,
 * recycled, and qualifies again in March; p5 only subscribes.
 */
export function marchWorld() {
  return buildTimelines([
    ...moves(
      'p1',
      ['subscriber', '2027-02-20T10:00:00Z'],
      ['lead', '2027-03-02T10:00:00Z'],
      ['mql', '2027-03-03T10:00:00Z'],
      ['sql', '2027-03-05T10:00:00Z'],
    ),
    ...moves(
      'p2',
      ['subscriber', '2027-03-01T12:00:00Z'],
      ['mql', '2027-03-02T12:00:00Z'],
      ['recycled', '2027-03-10T12:00:00Z'],
      ['lead', '2027-03-20T12:00:00Z'],
      ['mql', '2027-03-25T12:00:00Z'],
    ),
    ...moves('p3', ['subscriber', '2027-04-01T03:30:00Z'], ['lead', '2027-04-01T04:30:00Z']),
    ...moves(
      'p4',
      ['subscriber', '2027-01-05T15:00:00Z'],
      ['lead', '2027-01-10T15:00:00Z'],
      ['mql', '2027-01-15T15:00:00Z'],
      ['recycled', '2027-01-20T15:00:00Z'],
      ['lead', '2027-02-25T15:00:00Z'],
      ['mql', '2027-03-10T12:00:00Z'],
    ),
    ...moves('p5', ['subscriber', '2027-03-05T15:00:00Z']),
  ]);
}

export const march = {
  from: new Date('2027-03-01T05:00:00Z'),
  to: new Date('2027-04-01T04:00:00Z'),
  timezone: 'America/New_York',
};
