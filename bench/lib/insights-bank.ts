import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Agreement,
  analyzeInsights,
  convertBankMarketing,
  createHistoryCollector,
  defaultAgreementYaml,
  type InsightsResult,
  parseAgreement,
  type ScoreEvaluation,
} from '../../packages/core/src/index.ts';
import { encodeLead } from '../../packages/core/src/insights/features.ts';

/**
 * The learned score on the UCI Bank Marketing data (Moro, Rita & Cortez, 2014; CC BY 4.0;
 * https://doi.org/10.24432/C5K306), `duration` left out, against (1) the default agreement's
 * hand-written points, (2) hand-written points for a bank (below), and (3) scikit-learn's plain
 * logistic regression on the same features and the same time-ordered split
 * (`insights-sklearn.py`, Debian's python3-sklearn; run only here, never in CI).
 */

const dayMs = 86_400_000;
const horizonDays = 180;

/** Points a bank marketer might write by hand: the default agreement plus the bank's activities and traits. */
function bankAgreement(): Agreement {
  const parsed = parseAgreement(defaultAgreementYaml);
  if (!parsed.ok) throw new Error('the default agreement does not parse');
  const base = parsed.agreement;
  const match = { events: ['Bank Call'] };
  return {
    ...base,
    interest: {
      ...base.interest,
      activities: [
        ...base.interest.activities,
        { id: 'campaign-call', label: 'Called in this campaign', match, points: 2, cap: 10 },
        { id: 'previous-contact', label: 'Called in an earlier campaign', match, points: 10, cap: 20 },
        { id: 'previous-success', label: 'Said yes in an earlier campaign', match, points: 40 },
        { id: 'previous-failure', label: 'Said no in an earlier campaign', match, points: -10 },
      ],
    },
    fit: {
      ...base.fit,
      rules: [
        {
          id: 'retired-or-student',
          label: 'Retired or student',
          when: { trait: 'job', in: ['retired', 'student'] },
          points: 25,
        },
        { id: 'older', label: '60 or older', when: { trait: 'age', gte: 60 }, points: 15 },
        {
          id: 'mobile',
          label: 'Reached on a mobile phone',
          when: { trait: 'channel', equals: 'cellular' },
          points: 15,
        },
        {
          id: 'graduate',
          label: 'University degree',
          when: { trait: 'education', equals: 'university.degree' },
          points: 10,
        },
        {
          id: 'no-default',
          label: 'No credit in default',
          when: { trait: 'creditDefault', equals: 'no' },
          points: 10,
        },
        {
          id: 'blue-collar',
          label: 'Blue-collar job',
          when: { trait: 'job', equals: 'blue-collar' },
          points: -10,
        },
      ],
    },
  };
}

export type BankComparison = {
  rows: number;
  customers: number;
  train: number;
  holdout: number;
  holdoutCustomers: number;
  lambda: number;
  features: number;
  fitSeconds: number;
  learned: ScoreEvaluation;
  defaultAgreement: ScoreEvaluation;
  bankAgreement: ScoreEvaluation;
  sklearn: Record<string, { auc: number; brier: number; logLoss: number; liftAtTopDecile: number }> | string;
};

export function compareOnBankMarketing(file: string, python = '/usr/bin/python3'): BankComparison {
  const converted = convertBankMarketing(readFileSync(file, 'utf8'));
  if (!converted.ok) throw new Error(`${file}:${converted.line}: ${converted.message}`);
  const collector = createHistoryCollector();
  for (const step of converted.value.steps) collector.add(step);
  const histories = collector.finish();
  // Every outcome in the file is final: the analysis is made after the last horizon has passed.
  const options = { asOf: converted.value.to + (horizonDays + 1) * dayMs, horizonDays };
  const parsedDefault = parseAgreement(defaultAgreementYaml);
  if (!parsedDefault.ok) throw new Error('default agreement');
  const started = performance.now();
  const withDefault = analyzeInsights(parsedDefault.agreement, histories, options);
  const fitSeconds = (performance.now() - started) / 1000;
  const withBank = analyzeInsights(bankAgreement(), histories, options);
  const evaluation = withDefault.insights.model.evaluation;
  const bankEvaluation = withBank.insights.model.evaluation;
  if (evaluation === null || bankEvaluation === null) throw new Error('no hold-out evaluation');
  const split = withDefault.insights.model.trainLeads;
  return {
    rows: converted.value.rows,
    customers: converted.value.customers,
    train: split,
    holdout: withDefault.insights.model.holdoutLeads,
    holdoutCustomers: evaluation.learned.customers,
    lambda: withDefault.insights.model.lambda,
    features: withDefault.insights.model.features,
    fitSeconds,
    learned: evaluation.learned,
    defaultAgreement: evaluation.agreement,
    bankAgreement: bankEvaluation.agreement,
    sklearn: runSklearn(withDefault, split, file, python),
  };
}

/** Writes the same design matrix and split, and asks scikit-learn for its plain logistic regression. */
function runSklearn(result: InsightsResult, split: number, file: string, python: string) {
  if (!existsSync(python)) return `${python} not found`;
  const folder = mkdtempSync(join(tmpdir(), 'smarketing-bank-'));
  try {
    const { space, modelled } = result.score;
    const lines = result.known.map((known, index) => {
      const facts = { ...known.facts, ...(known.lead.source ? { source: known.lead.source } : {}) };
      const row = encodeLead(space, facts).filter((feature) => modelled[feature] === 1);
      return `${index < split ? 'train' : 'test'},${known.won ? 1 : 0},${row.join(' ')}`;
    });
    const matrix = join(folder, 'design.csv');
    writeFileSync(matrix, `${lines.join('\n')}\n`);
    const script = new URL('./insights-sklearn.py', import.meta.url).pathname;
    const output = execFileSync(
      python,
      [
        script,
        matrix,
        String(space.features.length),
        file,
        String(split),
        String(result.insights.model.lambda),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    return JSON.parse(output) as Record<
      string,
      { auc: number; brier: number; logLoss: number; liftAtTopDecile: number }
    >;
  } catch (error) {
    return `scikit-learn comparison failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
