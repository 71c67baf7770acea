import type { SpendFacts } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { withRepos } from '../with-repos.ts';

/** One spend row as sent (JSON) or read from a CSV line. */
export type CampaignSpendInput = {
  campaign: string;
  source?: string | null;
  periodStart: string;
  periodEnd: string;
  amount: number | string;
  currency: string;
};

/** A problem with one row: its position (0-based) in the call, the field, and what is wrong. */
export type SpendProblem = { row: number; field: keyof CampaignSpendInput | 'row'; message: string };

export const maxSpendRowsPerCall = 5_000;
const maxTextLength = 200;
/** A spend period longer than this is surely a typo (ten years). */
const maxPeriodDays = 3_660;

function isDate(text: string): boolean {
  if (!/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return date.toISOString().slice(0, 10) === text;
}

/**
 * Checks every row and answers the clean ones (trimmed, source '' when none, amount as a number)
 * or every problem found, so a file is fixed in one go. Dates are local calendar days of the
 * agreement (`YYYY-MM-DD`, both inclusive); amounts are non-negative with at most two decimals.
 */
export function checkSpendRows(
  input: readonly CampaignSpendInput[],
): { ok: true; rows: SpendFacts[] } | { ok: false; problems: SpendProblem[] } {
  const problems: SpendProblem[] = [];
  const rows: SpendFacts[] = [];
  const seen = new Map<string, number>();
  input.forEach((raw, row) => {
    const fail = (field: SpendProblem['field'], message: string) => problems.push({ row, field, message });
    const before = problems.length;
    const campaign = String(raw.campaign ?? '').trim();
    const source = String(raw.source ?? '').trim();
    const periodStart = String(raw.periodStart ?? '').trim();
    const periodEnd = String(raw.periodEnd ?? '').trim();
    const currency = String(raw.currency ?? '').trim();
    const amountText = String(raw.amount ?? '').trim();
    if (campaign === '')
      fail('campaign', 'campaign is empty; name the campaign as it appears in utm_campaign');
    else if (campaign.length > maxTextLength)
      fail('campaign', `campaign is longer than ${maxTextLength} characters`);
    if (source.length > maxTextLength) fail('source', `source is longer than ${maxTextLength} characters`);
    if (!isDate(periodStart))
      fail('periodStart', `period_start ${JSON.stringify(periodStart)} is not a date like 2027-03-01`);
    if (!isDate(periodEnd))
      fail('periodEnd', `period_end ${JSON.stringify(periodEnd)} is not a date like 2027-03-31`);
    if (isDate(periodStart) && isDate(periodEnd)) {
      const days = (Date.parse(periodEnd) - Date.parse(periodStart)) / 86_400_000 + 1;
      if (days < 1) fail('periodEnd', `period_end ${periodEnd} is before period_start ${periodStart}`);
      else if (days > maxPeriodDays)
        fail('periodEnd', `the period spans ${days} days; at most ${maxPeriodDays}`);
    }
    const amount = typeof raw.amount === 'number' ? raw.amount : Number(amountText);
    if (amountText === '' || !Number.isFinite(amount))
      fail('amount', `amount ${JSON.stringify(amountText)} is not a number like 1250.50`);
    else if (amount < 0) fail('amount', `amount ${amountText} is negative`);
    else if (Math.abs(Math.round(amount * 100) - amount * 100) > 1e-6)
      fail('amount', `amount ${amountText} has more than two decimals`);
    else if (amount >= 1e12) fail('amount', `amount ${amountText} is too large`);
    if (!/^[A-Z]{3}$/.test(currency))
      fail('currency', `currency ${JSON.stringify(currency)} is not an ISO 4217 code like USD`);
    if (problems.length > before) return;
    const key = `${campaign}\u0000${source}\u0000${periodStart}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(
        'row',
        `repeats campaign ${campaign}, source ${JSON.stringify(source)} and period_start ${periodStart} of row ${earlier + 1}`,
      );
      return;
    }
    seen.set(key, row);
    rows.push({ campaign, source, periodStart, periodEnd, amount, currency });
  });
  return problems.length === 0 ? { ok: true, rows } : { ok: false, problems };
}

/**
 * Imports campaign spend: every row checked first (nothing is stored when one is wrong), then
 * upserted on (campaign, source, period_start) — importing the same file again changes nothing —
 * and audited, in one transaction.
 */
export async function importCampaignSpend(
  options: { workspaceId: string; rows: readonly CampaignSpendInput[]; importedBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<{ received: number; inserted: number; updated: number }> {
  if (options.rows.length > maxSpendRowsPerCall) {
    throw new AppError('PAYLOAD_TOO_LARGE', {
      message: `At most ${maxSpendRowsPerCall} spend rows per call; got ${options.rows.length}.`,
      details: { limit: maxSpendRowsPerCall },
    });
  }
  const checked = checkSpendRows(options.rows);
  if (!checked.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: `${checked.problems.length} problem(s) in the spend rows; nothing was imported. First: row ${(checked.problems[0]?.row ?? 0) + 1}: ${checked.problems[0]?.message}.`,
      details: { problems: checked.problems },
    });
  }
  const at = deps.clock();
  return withRepos(deps, async (repos) => {
    const stored = await repos.salesReports.upsertSpend(options.workspaceId, checked.rows, {
      at,
      by: options.importedBy,
    });
    await repos.audit.append({
      workspaceId: options.workspaceId,
      id: createUuidV7(at),
      at,
      actor: options.importedBy,
      action: 'campaign-spend.import',
      target: null,
      detail: {
        rows: checked.rows.length,
        ...stored,
        campaigns: [...new Set(checked.rows.map((row) => row.campaign))].slice(0, 50),
      },
    });
    return { received: checked.rows.length, ...stored };
  });
}
