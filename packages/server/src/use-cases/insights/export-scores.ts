import { scoreLead } from '@smarketing/core';
import { findOrFitScoreModel, type InsightsDeps } from './insights-context.ts';
import { createScoreModelCache, type ScoreModelCache } from './score-model-cache.ts';

export type ScoreExportFormat = 'csv' | 'json';

type ExportedScore = {
  contactId: string;
  email: string | null;
  fit: number;
  fitGrade: string;
  interest: number;
  quadrant: string;
  /** Chance of becoming a customer within the horizon, from the learned score; null for a contact with no timed fact. */
  probability: number | null;
  reasons: { key: string; label: string; points: number }[];
  agreementVersion: number;
};

const columns = [
  'contactId',
  'email',
  'fit',
  'fitGrade',
  'interest',
  'quadrant',
  'probability',
  'reasons',
  'agreementVersion',
] as const;

/**
 * Every contact's stored scores with the learned probability and its top reasons, as CSV lines
 * or a JSON array, produced a page at a time so a large workspace streams. The model is fitted on
 * the workspace's history first (one pass over its facts), or taken from `cache` when neither the
 * agreement version nor the facts changed since it was fitted (pass one cache per process, so
 * repeated exports do not refit; without one, each call fits).
 */
export async function* exportScores(
  options: {
    workspaceId: string;
    format: ScoreExportFormat;
    horizonDays?: number;
    pageSize?: number;
    cache?: ScoreModelCache;
  },
  deps: InsightsDeps,
): AsyncGenerator<string> {
  const { byContact, result } = await findOrFitScoreModel(
    {
      workspaceId: options.workspaceId,
      ...(options.horizonDays === undefined ? {} : { horizonDays: options.horizonDays }),
    },
    deps,
    options.cache ?? createScoreModelCache(),
  );
  const asOf = deps.clock().getTime();
  const pageSize = options.pageSize ?? 5_000;
  if (options.format === 'csv') yield `${columns.join(',')}\n`;
  else yield '[';
  let after: string | null = null;
  let first = true;
  for (;;) {
    const page = await deps.repos.insights.listScores(options.workspaceId, after, pageSize);
    if (page.length === 0) break;
    let text = '';
    for (const row of page) {
      const history = byContact.get(row.contactId);
      const scored = history === undefined ? undefined : scoreLead(result.score, history, asOf);
      const item: ExportedScore = {
        contactId: row.contactId,
        email: row.email,
        fit: row.fit,
        fitGrade: row.fitGrade,
        interest: row.interest,
        quadrant: row.quadrant,
        probability: scored === undefined ? null : Number(scored.probability.toPrecision(6)),
        reasons: scored?.reasons ?? [],
        agreementVersion: row.agreementVersion,
      };
      if (options.format === 'csv') text += `${csvLine(item)}\n`;
      else {
        text += `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
        first = false;
      }
    }
    yield text;
    after = page.at(-1)?.contactId ?? null;
    if (page.length < pageSize) break;
  }
  if (options.format === 'json') yield first ? ']\n' : '\n]\n';
}

function csvLine(item: ExportedScore): string {
  const reasons = item.reasons.map((r) => `${r.label} (${r.points > 0 ? '+' : ''}${r.points})`).join('; ');
  const cells = [
    item.contactId,
    item.email ?? '',
    String(item.fit),
    item.fitGrade,
    String(item.interest),
    item.quadrant,
    item.probability === null ? '' : String(item.probability),
    reasons,
    String(item.agreementVersion),
  ];
  return cells.map(csvCell).join(',');
}

/** Quoted when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it. */
function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
