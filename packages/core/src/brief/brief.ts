import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Clog, ClogReport } from '../reports/clogs.ts';
import type { LeadFlowReport } from '../reports/lead-flow.ts';
import type { SlaReport } from '../reports/sla.ts';
import { ratio, round } from '../reports/statistics.ts';
import type { WaterfallReport } from '../reports/waterfall.ts';
import { askQuestions, type BriefQuestion } from './questions.ts';

/** The week a brief is about: an ISO week (Monday first) in the agreement's time zone. */
export type BriefWeek = { label: string; from: Date; to: Date; timezone: string };

export type WonDeal = {
  id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  account: string | null;
  contact: string | null;
  /** The local calendar day it was won. */
  closeDate: string;
};

export type BriefAnnouncementInput = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  effectiveAt: Date;
};

export type FeedbackFact = {
  verdict: 'reject' | 'recycle';
  reason: string | null;
  comment: string | null;
  at: number;
};

export type FeedbackTheme = {
  verdict: 'reject' | 'recycle';
  reason: string | null;
  label: string;
  count: number;
  /** Share of the week's feedback of this verdict. */
  share: number | null;
  /** The same share over the weeks before (null when there was no such feedback). */
  previousShare: number | null;
  previousCount: number;
  /** Up to three of the week's comments, newest first. */
  examples: string[];
};

export type Brief = {
  brief: 'weekly';
  week: { label: string; from: string; to: string; timezone: string };
  agreementVersion: number;
  asOf: string;
  currency: string;
  definitions: Record<string, string>;
  wins: {
    count: number;
    revenue: number;
    bigThreshold: number | null;
    deals: (WonDeal & { big: boolean })[];
  };
  announcements: (Omit<BriefAnnouncementInput, 'effectiveAt'> & { effectiveAt: string })[];
  leadFlow: {
    rows: { label: string; leads: number; newLeads: number; mqls: number }[];
    /** The brief's week (the last row). */
    week: { leads: number; newLeads: number; mqls: number; mqlChange: number | null } | null;
  };
  waterfall: {
    stages: string[];
    cohorts: { label: string; size: number; reached: Record<string, number> }[];
  };
  sla: {
    period: string;
    marketing: {
      value: number | null;
      target: number | null;
      attainment: number | null;
      expected: number | null;
      projected: number | null;
      onPace: boolean | null;
    };
    sales: {
      target: number;
      compliance: number | null;
      met: boolean | null;
      due: number;
      breaches: number;
      openBreaches: number;
      teams: { team: string | null; due: number; compliance: number | null; openBreaches: number }[];
    };
  };
  clogs: Clog[];
  feedbackThemes: FeedbackTheme[];
  questions: BriefQuestion[];
};

export const briefDefinitions = {
  week: 'An ISO week (Monday 00:00 to the next Monday, exclusive) in the agreement time zone.',
  wins: 'Deals won with a close date in the week. A big win is at least twice the average deal size (won deals, else the goal).',
  announcements: 'Announcements taking effect in the week, withdrawn ones left out.',
  leadFlow:
    'Leads, new leads and MQLs per ISO week for the eight weeks to the brief week, as the lead-flow report counts them.',
  waterfall:
    'Weekly cohorts of new leads over the same eight weeks and how many of each had reached each stage by now.',
  sla: 'The SLA report of the agreement period that contains the week, as of now.',
  clogs: 'The clog report for the week against the three weeks before (the five largest by revenue impact).',
  feedbackThemes:
    'Rejections and recycles of the week by reason, with their share of the verdict, the same share over the four weeks before, and up to three comments.',
  questions: 'Questions the data raises, each from an explicit rule named in `rule`.',
};

const maxClogs = 5;
const maxLeadsPerClog = 5;

function themes(
  agreement: Agreement,
  feedback: { week: readonly FeedbackFact[]; previous: readonly FeedbackFact[] },
) {
  const labels = new Map<string, string>();
  for (const reason of agreement.feedback.rejectReasons) labels.set(`reject:${reason.id}`, reason.label);
  for (const reason of agreement.feedback.recycleReasons) labels.set(`recycle:${reason.id}`, reason.label);
  const result: FeedbackTheme[] = [];
  for (const verdict of ['reject', 'recycle'] as const) {
    const week = feedback.week.filter((fact) => fact.verdict === verdict);
    const previous = feedback.previous.filter((fact) => fact.verdict === verdict);
    const reasons = new Set(week.map((fact) => fact.reason));
    for (const reason of reasons) {
      const mine = week.filter((fact) => fact.reason === reason).sort((a, b) => b.at - a.at);
      const before = previous.filter((fact) => fact.reason === reason).length;
      result.push({
        verdict,
        reason,
        label: reason === null ? 'No reason given' : (labels.get(`${verdict}:${reason}`) ?? reason),
        count: mine.length,
        share: round(ratio(mine.length, week.length), 4),
        previousShare: round(ratio(before, previous.length), 4),
        previousCount: before,
        examples: mine
          .map((fact) => fact.comment?.trim() ?? '')
          .filter((comment) => comment !== '')
          .slice(0, 3),
      });
    }
  }
  return result.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * The weekly meeting brief, assembled from the reports of the week (all computed elsewhere from
 * the stored facts) and the week's wins, announcements and feedback. Pure: the same inputs give
 * the same brief.
 */
export function assembleBrief(input: {
  week: BriefWeek;
  agreement: Agreement;
  agreementVersion: number;
  asOf: Date;
  averageDealSize: number | null;
  wins: readonly WonDeal[];
  announcements: readonly BriefAnnouncementInput[];
  leadFlow: LeadFlowReport;
  waterfall: WaterfallReport;
  sla: SlaReport;
  clogs: ClogReport;
  feedback: { week: readonly FeedbackFact[]; previous: readonly FeedbackFact[] };
}): Brief {
  const { agreement, sla } = input;
  const bigThreshold = input.averageDealSize === null ? null : 2 * input.averageDealSize;
  const deals = [...input.wins]
    .sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0) || a.name.localeCompare(b.name))
    .map((deal) => ({ ...deal, big: bigThreshold !== null && (deal.amount ?? 0) >= bigThreshold }));
  const lastRow = input.leadFlow.rows.at(-1);
  const total = sla.marketing.total;
  const feedbackThemes = themes(agreement, input.feedback);
  const brief: Omit<Brief, 'questions'> = {
    brief: 'weekly',
    week: {
      label: input.week.label,
      from: input.week.from.toISOString(),
      to: input.week.to.toISOString(),
      timezone: input.week.timezone,
    },
    agreementVersion: input.agreementVersion,
    asOf: input.asOf.toISOString(),
    currency: agreement.currency,
    definitions: briefDefinitions,
    wins: {
      count: deals.length,
      revenue:
        round(
          deals.reduce((sum, deal) => sum + (deal.amount ?? 0), 0),
          2,
        ) ?? 0,
      bigThreshold,
      deals,
    },
    announcements: [...input.announcements]
      .sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime())
      .map((announcement) => ({ ...announcement, effectiveAt: announcement.effectiveAt.toISOString() })),
    leadFlow: {
      rows: input.leadFlow.rows.map((row) => ({
        label: row.label,
        leads: row.leads,
        newLeads: row.newLeads,
        mqls: row.mqls,
      })),
      week:
        lastRow === undefined
          ? null
          : {
              leads: lastRow.leads,
              newLeads: lastRow.newLeads,
              mqls: lastRow.mqls,
              mqlChange: lastRow.change.mqls.relative,
            },
    },
    waterfall: {
      stages: input.waterfall.stages,
      cohorts: input.waterfall.cohorts.map((cohort) => ({
        label: cohort.label,
        size: cohort.size,
        reached: cohort.offsets.at(-1)?.reached ?? {},
      })),
    },
    sla: {
      period: sla.period.label ?? `${sla.period.from}/${sla.period.to}`,
      marketing: {
        value: total.value,
        target: total.target,
        attainment: total.attainment,
        expected: total.pace.expected,
        projected: total.pace.projected,
        onPace: total.pace.onPace,
      },
      sales: {
        target: sla.sales.target,
        compliance: sla.sales.total.compliance,
        met: sla.sales.total.met,
        due: sla.sales.total.due,
        breaches: sla.sales.total.breaches,
        openBreaches: sla.sales.total.openBreaches,
        teams: sla.sales.teams.map((team) => ({
          team: team.team,
          due: team.due,
          compliance: team.compliance,
          openBreaches: team.openBreaches,
        })),
      },
    },
    clogs: input.clogs.clogs
      .slice(0, maxClogs)
      .map((clog) => ({ ...clog, leads: clog.leads.slice(0, maxLeadsPerClog) })),
    feedbackThemes,
  };
  return { ...brief, questions: askQuestions(brief, agreement) };
}
