import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Brief } from './brief.ts';

/** A question for the meeting, raised by a named rule from the figures in `evidence`. */
export type BriefQuestion = {
  rule:
    | 'reject-reason-doubled'
    | 'sales-compliance-below-target'
    | 'marketing-behind-pace'
    | 'open-breaches'
    | 'mql-drop'
    | 'clog';
  question: string;
  evidence: string;
};

const percent = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 1000) / 10}%`);
/** Whole numbers from 10 up (points, leads), one decimal below: a meeting reads "289", not "288.56". */
const number = (value: number | null) =>
  value === null
    ? 'n/a'
    : Math.abs(value) >= 10
      ? String(Math.round(value))
      : String(Math.round(value * 10) / 10);
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A reason needs at least this many rejections in the week to be raised. */
const minReasonCount = 3;
/** Teams with fewer due clocks than this are not singled out. */
const minDue = 5;
/** MQLs falling by this share or more, from a week of at least `minMqls`, raise a question. */
const mqlDrop = 0.3;
const minMqls = 5;

/**
 * The rules, in the order their questions are listed:
 * 1. reject-reason-doubled: a reject reason's share of the week's rejections is at least twice
 *    its share over the weeks before (or new), with at least 3 rejections for it this week;
 * 2. sales-compliance-below-target: a team (or the total) worked a smaller share of its due
 *    leads in time than `sla.sales.workedWithinDeadline`, with at least 5 due;
 * 3. open-breaches: leads past their deadline with no touch or feedback at all;
 * 4. marketing-behind-pace: delivered value below the pace line of the SLA period;
 * 5. mql-drop: the week's MQLs fell 30 % or more from the week before (which had at least 5);
 * 6. clog: each of the three largest clogs.
 */
export function askQuestions(brief: Omit<Brief, 'questions'>, agreement: Agreement): BriefQuestion[] {
  const questions: BriefQuestion[] = [];
  for (const theme of brief.feedbackThemes) {
    if (theme.verdict !== 'reject' || theme.reason === null || theme.count < minReasonCount) continue;
    const doubled =
      theme.previousShare === null || theme.previousShare === 0
        ? true
        : theme.share !== null && theme.share >= 2 * theme.previousShare;
    if (!doubled) continue;
    questions.push({
      rule: 'reject-reason-doubled',
      question: `Rejections for "${theme.label}" doubled: which sources or campaigns send these leads, and should the agreement screen them out?`,
      evidence: `${theme.count} rejections (${percent(theme.share)} of the week's) against ${percent(theme.previousShare)} in the weeks before.`,
    });
  }
  const target = agreement.sla.sales.workedWithinDeadline;
  const teams = [
    ...brief.sla.sales.teams.filter((team) => team.team !== null),
    { team: null, due: brief.sla.sales.due, compliance: brief.sla.sales.compliance, openBreaches: 0 },
  ];
  for (const team of teams) {
    if (team.due < minDue || team.compliance === null || team.compliance >= target) continue;
    const label =
      team.team === null
        ? 'Sales as a whole'
        : `Team ${agreement.teams.find((found) => found.id === team.team)?.label ?? team.team}`;
    questions.push({
      rule: 'sales-compliance-below-target',
      question: `${label} worked ${percent(team.compliance)} of its leads within the deadline against a target of ${percent(target)}: what is in the way?`,
      evidence: `${team.due} leads due in ${brief.sla.period}.`,
    });
  }
  if (brief.sla.sales.openBreaches > 0) {
    questions.push({
      rule: 'open-breaches',
      question: `${count(brief.sla.sales.openBreaches, 'lead is', 'leads are')} past the deadline without any touch: who takes ${brief.sla.sales.openBreaches === 1 ? 'it' : 'them'} this week?`,
      evidence: `${count(brief.sla.sales.breaches, 'breach', 'breaches')} in ${brief.sla.period}, ${brief.sla.sales.openBreaches} still untouched.`,
    });
  }
  const marketing = brief.sla.marketing;
  if (marketing.onPace === false) {
    questions.push({
      rule: 'marketing-behind-pace',
      question: `Marketing has delivered ${number(marketing.value)} of ${number(marketing.target)} and is behind the pace line (${number(marketing.expected)}): which campaigns can close the gap by the end of ${brief.sla.period}?`,
      evidence: `Projected ${number(marketing.projected)} at the period end (${percent(marketing.attainment)} attained so far).`,
    });
  }
  const rows = brief.leadFlow.rows;
  const week = rows.at(-1);
  const before = rows.at(-2);
  if (
    week !== undefined &&
    before !== undefined &&
    before.mqls >= minMqls &&
    week.mqls <= before.mqls * (1 - mqlDrop)
  ) {
    questions.push({
      rule: 'mql-drop',
      question: `MQLs fell from ${before.mqls} to ${week.mqls} this week: a seasonal dip, a paused campaign, or a tracking problem?`,
      evidence: `${percent((week.mqls - before.mqls) / before.mqls)} from ${before.label} to ${week.label}.`,
    });
  }
  for (const clog of brief.clogs.slice(0, 3)) {
    const where = `${clog.label}${clog.segment === null ? '' : ` (${clog.segment.key} ${clog.segment.value})`}`;
    questions.push(
      clog.metric === 'conversion'
        ? {
            rule: 'clog',
            question: `Conversion out of ${where} fell from ${percent(clog.baseline.rate ?? null)} to ${percent(clog.current.rate ?? null)}: what changed, and who follows up the ${clog.leadCount} leads concerned?`,
            evidence: `p = ${clog.p.toPrecision(2)}, q = ${clog.q.toPrecision(2)} (${clog.test}); revenue impact ${number(clog.impact.revenue)}.`,
          }
        : {
            rule: 'clog',
            question: `Leads stay longer in ${where} (median ${number(clog.current.medianHours ?? null)} h against ${number(clog.baseline.medianHours ?? null)} h): where are they stuck?`,
            evidence: `${clog.impact.stuck ?? 0} leads past the usual time; q = ${clog.q.toPrecision(2)} (${clog.test}).`,
          },
    );
  }
  return questions;
}
