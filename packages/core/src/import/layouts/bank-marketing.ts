import type { ContactRecord, DealEventRecord, TouchRecord, Traits } from '../../ingest/records.ts';
import { column } from '../layout-columns.ts';
import { type ColumnSpec, emptyRecords, type LayoutKindSpec } from '../layout-types.ts';
import { parseBoolean } from '../values.ts';

/**
 * The UCI Bank Marketing data set (Moro, Rita & Cortez, 2014; CC BY 4.0), `bank-additional*.csv`:
 * one row per client called in a Portuguese bank's term-deposit campaigns, May 2008 – Nov 2010.
 *
 * - Each row is a contact, `bank-marketing:<digest>`: the data has no ids, so a row is known
 *   by a digest of its content (`-2`, `-3`… for further identical rows). Re-importing changes
 *   nothing, and the 10 % sample, whose rows are rows of the full file, names the same
 *   clients as the full file. The contact is in stage lead, with the client's traits (age, job, marital, education, default, housing,
 *   loan, contact channel) and the previous campaign (previous, pdays, poutcome) as traits.
 * - `campaign` calls of this campaign become that many `call` touches by rep `call-centre`
 *   (or the `--rep`; it must be a rep of the agreement); the last carries the outcome.
 * - `y = yes` (subscribed a term deposit) is a won deal, `Term deposit`.
 * - `duration` is never imported: it is only known after the call and gives the outcome away.
 *   The five national economic indicators are not about the contact and are not imported
 *   either, except `cons.price.idx`, which dates the row (below).
 *
 * Dates: the file has a month and a weekday but no year and no day. The consumer price index is
 * a monthly figure with a different value in each of the 26 months of the campaigns, so it
 * names the year; the day is the first such weekday of that month (the week is unknown).
 * Every fact of the row happens at 00:00 UTC on that day.
 */

/** cons.price.idx of each month of the campaigns (from the full file), month → index. */
const consumerPriceIndex: [month: string, index: number][] = [
  ['2008-05', 93.994],
  ['2008-06', 94.465],
  ['2008-07', 93.918],
  ['2008-08', 93.444],
  ['2008-10', 93.798],
  ['2008-11', 93.2],
  ['2008-12', 92.756],
  ['2009-03', 92.843],
  ['2009-04', 93.075],
  ['2009-05', 92.893],
  ['2009-06', 92.963],
  ['2009-07', 92.469],
  ['2009-08', 92.201],
  ['2009-09', 92.379],
  ['2009-10', 92.431],
  ['2009-11', 92.649],
  ['2009-12', 92.713],
  ['2010-03', 93.369],
  ['2010-04', 93.749],
  ['2010-05', 93.876],
  ['2010-06', 94.055],
  ['2010-07', 94.215],
  ['2010-08', 94.027],
  ['2010-09', 94.199],
  ['2010-10', 94.601],
  ['2010-11', 94.767],
];

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The repId of the bank's calls unless `--rep` names another: the data does not say who called. */
const bankMarketingRep = 'call-centre';

/**
 * The day a row is dated: the first `weekday` of the month whose consumer price index is
 * `index`, provided that month is `month`. Undefined when they disagree or the index is unknown.
 */
export function bankMarketingDate(month: string, weekday: string, index: number): Date | undefined {
  const found = consumerPriceIndex.find(([, value]) => Math.abs(value - index) < 1e-9);
  const monthIndex = months.indexOf(month.toLowerCase());
  const weekdayIndex = weekdays.indexOf(weekday.toLowerCase());
  if (!found || monthIndex < 0 || weekdayIndex < 0) return undefined;
  const [year, monthNumber] = found[0].split('-').map(Number) as [number, number];
  if (monthNumber !== monthIndex + 1) return undefined;
  const first = new Date(Date.UTC(year, monthIndex, 1));
  const offset = (weekdayIndex - first.getUTCDay() + 7) % 7;
  return new Date(Date.UTC(year, monthIndex, 1 + offset));
}

const columns: ColumnSpec[] = [
  column('age', 'integer', 'age', 'trait age'),
  column('job', 'text', 'job', 'trait job'),
  column('marital', 'text', 'marital', 'trait marital'),
  column('education', 'text', 'education', 'trait education'),
  column('creditDefault', 'text', 'default', 'trait creditDefault (yes, no, unknown)'),
  column('housingLoan', 'text', 'housing', 'trait housingLoan (yes, no, unknown)'),
  column('personalLoan', 'text', 'loan', 'trait personalLoan (yes, no, unknown)'),
  column('contactChannel', 'text', 'contact', 'trait contactChannel (cellular, telephone)'),
  column('month', 'text', 'month', 'month of the last call: dates the row'),
  column('dayOfWeek', 'text', 'day_of_week', 'weekday of the last call: dates the row'),
  column('campaign', 'integer', 'campaign', 'calls in this campaign: that many call touches'),
  column('pdays', 'integer', 'pdays', 'trait daysSincePreviousCampaign (999, never called, is left out)'),
  column('previous', 'integer', 'previous', 'trait previousCampaignContacts'),
  column('poutcome', 'text', 'poutcome', 'trait previousCampaignOutcome (failure, nonexistent, success)'),
  column('consumerPriceIndex', 'number', 'cons.price.idx', 'monthly consumer price index: names the year'),
  column('subscribed', 'boolean', 'y', 'yes: a won deal (Term deposit)'),
];

const contacts: LayoutKindSpec = {
  layout: 'bank-marketing',
  kind: 'contacts',
  label: 'UCI Bank Marketing data set (bank-additional)',
  columns,
  ignoredColumns: [
    {
      headers: ['duration'],
      why: 'known only after the call; it gives the outcome away, so a fair model must not see it',
    },
    {
      headers: ['emp.var.rate', 'cons.conf.idx', 'euribor3m', 'nr.employed'],
      why: 'national economic indicators, not about the contact',
    },
  ],
  required: [
    { anyOf: ['month'], why: 'the rows are dated by month' },
    { anyOf: ['dayOfWeek'], why: 'the rows are dated by day_of_week' },
    { anyOf: ['consumerPriceIndex'], why: 'the year comes from cons.price.idx' },
    { anyOf: ['campaign'], why: 'campaign gives the touches' },
    { anyOf: ['subscribed'], why: 'y is the outcome' },
  ],
  produces: ['contacts', 'touches', 'dealEvents'],
  defaultSource: 'bank-marketing',
  build(row, context) {
    const { source, rep } = context;
    const month = row.required('month');
    const weekday = row.required('dayOfWeek');
    const index = row.number('consumerPriceIndex');
    if (index === undefined && !row.failed())
      row.fail('missing-value', 'cons.price.idx is blank', 'consumerPriceIndex');
    const at = month && weekday && index !== undefined ? bankMarketingDate(month, weekday, index) : undefined;
    if (month && weekday && index !== undefined && !at) {
      row.fail(
        'invalid-date',
        `cannot date the row: cons.price.idx ${index} is not the index of ${month} in May 2008 – Nov 2010`,
        'consumerPriceIndex',
      );
    }
    const calls = row.integer('campaign');
    if (calls !== undefined && calls < 1)
      row.fail('invalid-number', 'campaign counts the calls, at least 1', 'campaign');
    const subscribedText = row.required('subscribed');
    const subscribed = subscribedText === undefined ? undefined : parseBoolean(subscribedText);
    if (subscribedText !== undefined && subscribed === undefined) {
      row.fail('invalid-boolean', `y must be yes or no, not "${subscribedText}"`, 'subscribed');
    }

    const traits: Traits = {};
    const age = row.integer('age');
    if (age !== undefined) traits.age = age;
    for (const field of [
      'job',
      'marital',
      'education',
      'creditDefault',
      'housingLoan',
      'personalLoan',
      'contactChannel',
    ]) {
      const value = row.text(field);
      if (value !== undefined) traits[field] = value;
    }
    const pdays = row.integer('pdays');
    if (pdays !== undefined && pdays !== 999) traits.daysSincePreviousCampaign = pdays;
    const previous = row.integer('previous');
    if (previous !== undefined) traits.previousCampaignContacts = previous;
    const poutcome = row.text('poutcome');
    if (poutcome !== undefined) traits.previousCampaignOutcome = poutcome;
    if (!at || calls === undefined || subscribed === undefined || row.failed()) return emptyRecords();

    // The data has no ids: a row is known by its content (and which copy of that content it is,
    // for identical rows), so the 10 % sample names the same clients as the full file.
    const digest = context.sha256Hex(JSON.stringify(row.values())).slice(0, 16);
    const copy = context.occurrence(digest);
    const id = copy === 1 ? digest : `${digest}-${copy}`;
    const ref = { crmId: `${source}:${id}` };
    const contact: ContactRecord = {
      ref,
      traits,
      createdAt: at,
      stageHistory: [{ stage: 'lead', at }],
      source,
    };
    const touches: TouchRecord[] = [];
    for (let call = 1; call <= calls; call++) {
      touches.push({
        ref,
        repId: rep ?? bankMarketingRep,
        kind: 'call',
        occurredAt: at,
        ...(call === calls && { outcome: subscribed ? 'subscribed' : 'not-subscribed' }),
        externalId: `${id}:call-${call}`,
        source,
      });
    }
    const dealEvents: DealEventRecord[] = [];
    if (subscribed) {
      const deal = { ref, dealId: `${source}:${id}`, name: 'Term deposit', occurredAt: at, source };
      dealEvents.push(
        { ...deal, kind: 'created', externalId: `${deal.dealId}:created` },
        {
          ...deal,
          kind: 'won',
          stage: 'subscribed',
          closeDate: at.toISOString().slice(0, 10),
          externalId: `${deal.dealId}:won`,
        },
      );
    }
    return { ...emptyRecords(), contacts: [contact], touches, dealEvents };
  },
};

export const bankMarketingLayouts: LayoutKindSpec[] = [contacts];
