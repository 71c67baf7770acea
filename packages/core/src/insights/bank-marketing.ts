import type { EngineStep } from '../engine/workspace-engine.ts';
import type { Traits } from '../ingest/records.ts';

/**
 * A converter from the UCI Bank Marketing data set (Moro, Rita & Cortez, 2014; CC BY 4.0;
 * https://doi.org/10.24432/C5K306) to the engine's facts, so the closed-loop analysis can run on
 * real outcomes. One row is one client of a phone campaign; the mapping (see docs/INSIGHTS.md):
 *
 * - traits: age, job, marital, education, default (as `creditDefault`), housing, loan, contact
 *   (as `channel`), month and day_of_week of the last call (`lastCallMonth`, `lastCallDay`), and
 *   the economic context of the call (`empVarRate`, `consPriceIdx`, `consConfIdx`, `euribor3m`,
 *   `nrEmployed`);
 * - activities: `campaign` calls of this campaign as `campaign-call`, one a day up to the last
 *   call; `previous` calls of earlier campaigns as `previous-contact` (the latest `pdays` days
 *   before the last call, or 60 days when pdays is 999, then one every 30 days), and the earlier
 *   campaign's outcome as `previous-success` or `previous-failure` at its latest call;
 * - outcome: `y = yes` is a deal created and won one minute after the last call.
 * - `duration` is left out: it is only known after the call and gives the outcome away.
 *
 * The file is ordered by date from May 2008 to November 2010 but gives only the month: the year
 * starts at 2008 and steps up whenever the month goes back; within a month the rows are spread
 * evenly over its days in file order.
 */
export type BankConversion = {
  steps: EngineStep[];
  rows: number;
  customers: number;
  from: number;
  to: number;
};

export const bankActivityIds = [
  'campaign-call',
  'previous-contact',
  'previous-success',
  'previous-failure',
] as const;

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayMs = 86_400_000;
const numericColumns = ['age', 'emp.var.rate', 'cons.price.idx', 'cons.conf.idx', 'euribor3m', 'nr.employed'];
const required = [
  'age',
  'job',
  'marital',
  'education',
  'default',
  'housing',
  'loan',
  'contact',
  'month',
  'day_of_week',
  'campaign',
  'pdays',
  'previous',
  'poutcome',
  ...numericColumns.slice(1),
  'y',
];

export type BankConversionError = { ok: false; line: number; message: string };

export function convertBankMarketing(
  text: string,
): { ok: true; value: BankConversion } | BankConversionError {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(';').map(unquote);
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    return {
      ok: false,
      line: 1,
      message: `not the Bank Marketing layout: missing columns ${missing.join(', ')}`,
    };
  }
  const column = new Map(header.map((name, index) => [name, index]));
  const records: { cells: string[]; month: number; year: number; line: number }[] = [];
  let year = 2008;
  let previousMonth = -1;
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] as string).split(';').map(unquote);
    if (cells.length !== header.length) {
      return { ok: false, line: i + 1, message: `expected ${header.length} fields, found ${cells.length}` };
    }
    const month = months.indexOf(cells[column.get('month') as number] ?? '');
    if (month < 0)
      return { ok: false, line: i + 1, message: `unknown month "${cells[column.get('month') as number]}"` };
    if (previousMonth >= 0 && month < previousMonth) year++;
    previousMonth = month;
    records.push({ cells, month, year, line: i + 1 });
  }
  // Spread each month's rows evenly over the month, in file order.
  const blocks = new Map<string, number>();
  for (const record of records) {
    const key = `${record.year}-${record.month}`;
    blocks.set(key, (blocks.get(key) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const steps: EngineStep[] = [];
  let seq = 0;
  let customers = 0;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [rowIndex, record] of records.entries()) {
    const get = (name: string) => record.cells[column.get(name) as number] as string;
    const key = `${record.year}-${record.month}`;
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    const monthStart = Date.UTC(record.year, record.month, 1, 9);
    const monthEnd = Date.UTC(record.year, record.month + 1, 1, 9);
    const lastCall =
      monthStart + Math.floor(((monthEnd - monthStart - dayMs) * rank) / (blocks.get(key) as number));
    const numbers: Record<string, number> = {};
    for (const name of numericColumns) {
      const value = Number(get(name));
      if (!Number.isFinite(value))
        return { ok: false, line: record.line, message: `${name} is not a number: "${get(name)}"` };
      numbers[name] = value;
    }
    const campaign = Number(get('campaign'));
    const pdays = Number(get('pdays'));
    const previous = Number(get('previous'));
    for (const [name, value] of [
      ['campaign', campaign],
      ['pdays', pdays],
      ['previous', previous],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) {
        return {
          ok: false,
          line: record.line,
          message: `${name} must be a whole number ≥ 0; got "${get(name)}"`,
        };
      }
    }
    const outcome = get('y');
    if (outcome !== 'yes' && outcome !== 'no') {
      return { ok: false, line: record.line, message: `y must be yes or no; got "${outcome}"` };
    }
    const contactId = `bank-${rowIndex + 1}`;
    const traits: Traits = {
      age: numbers.age as number,
      job: get('job'),
      marital: get('marital'),
      education: get('education'),
      creditDefault: get('default'),
      housing: get('housing'),
      loan: get('loan'),
      channel: get('contact'),
      lastCallMonth: get('month'),
      lastCallDay: get('day_of_week'),
      empVarRate: numbers['emp.var.rate'] as number,
      consPriceIdx: numbers['cons.price.idx'] as number,
      consConfIdx: numbers['cons.conf.idx'] as number,
      euribor3m: numbers.euribor3m as number,
      nrEmployed: numbers['nr.employed'] as number,
    };
    const activities: { at: number; type: string }[] = [];
    const latestPrevious = lastCall - (pdays === 999 ? 60 : pdays) * dayMs;
    for (let k = 0; k < previous; k++)
      activities.push({ at: latestPrevious - k * 30 * dayMs, type: 'previous-contact' });
    const poutcome = get('poutcome');
    if (poutcome === 'success' || poutcome === 'failure') {
      activities.push({ at: latestPrevious + 1000, type: `previous-${poutcome}` });
    }
    for (let k = 0; k < campaign; k++) activities.push({ at: lastCall - k * dayMs, type: 'campaign-call' });
    activities.sort((a, b) => a.at - b.at);
    const startAt = activities[0]?.at ?? lastCall;
    steps.push({
      kind: 'contact',
      seq: ++seq,
      at: startAt,
      contactId,
      email: null,
      accountId: null,
      traits,
      mergedIntoId: null,
    });
    for (const activity of activities) {
      steps.push({ kind: 'activity', seq: ++seq, at: activity.at, contactId, activityType: activity.type });
    }
    if (activities.length === 0)
      steps.push({ kind: 'activity', seq: ++seq, at: lastCall, contactId, activityType: null });
    if (outcome === 'yes') {
      customers++;
      steps.push({
        kind: 'deal',
        seq: ++seq,
        at: lastCall + 60_000,
        contactId,
        event: 'created',
        reason: null,
      });
      steps.push({ kind: 'deal', seq: ++seq, at: lastCall + 60_000, contactId, event: 'won', reason: null });
    }
    from = Math.min(from, startAt);
    to = Math.max(to, lastCall + 60_000);
  }
  return { ok: true, value: { steps, rows: records.length, customers, from, to } };
}

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).replaceAll('""', '"')
    : trimmed;
}
