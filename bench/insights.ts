import { existsSync } from 'node:fs';
import {
  analyzeInsights,
  createHistoryCollector,
  defaultAgreementYaml,
  parseAgreement,
  runBacktest,
  suggestAgreement,
} from '../packages/core/src/index.ts';
import { compareOnBankMarketing } from './lib/insights-bank.ts';
import { createSyntheticHistory, passOnce, replayOnce } from './lib/insights-scale.ts';
import { median } from './lib/stats.ts';

/**
 * The insights' figures:
 * 1. on the UCI Bank Marketing data (when ../shared/data is there): the learned score's hold-out
 *    AUC and calibration against the default agreement, hand-written bank points and
 *    scikit-learn's logistic regression on the same features and split;
 * 2. at scale (BENCH_INSIGHTS_CONTACTS, default 1,000,000 contacts with ~10 activities each):
 *    fit time (history + analysis), suggestion time and backtest time (two engine replays in
 *    memory and the comparison), against one bare pass over the same rows (the issue's target:
 *    backtest ≤ 3× that pass) and one engine replay of them (the backtest's floor is two of those:
 *    `backtest / 2 replays` is the backtest's own overhead). BENCH_INSIGHTS_CONTACTS=100000 for a
 *    quick run.
 */

const contacts = Number(process.env.BENCH_INSIGHTS_CONTACTS ?? 1_000_000);
const perContact = Number(process.env.BENCH_INSIGHTS_ACTIVITIES ?? 10);
const runs = Number(process.env.BENCH_RUNS ?? 1);
const bank =
  process.env.BENCH_INSIGHTS_BANK ??
  new URL('../../shared/data/bank-marketing/bank-additional-full.csv', import.meta.url).pathname;
const parts = new Set((process.env.BENCH_INSIGHTS_PARTS ?? 'bank,scale').split(','));
const seconds = (from: number) => (performance.now() - from) / 1000;
const fixed = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined ? '—' : value.toFixed(digits);

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement does not parse');
const agreement = parsed.agreement;

if (parts.has('bank')) {
  if (!existsSync(bank)) console.log(`Bank Marketing data not found at ${bank}; skipped.`);
  else {
    const result = compareOnBankMarketing(bank);
    console.log(
      `\nBank Marketing: ${result.rows} clients, ${result.customers} subscribed; time-ordered hold-out ${result.holdout} (${result.holdoutCustomers} subscribed), trained on ${result.train}; ${result.features} features, λ=${result.lambda}; analysis ${result.fitSeconds.toFixed(1)} s`,
    );
    console.log('| score | AUC | Brier | log-loss | lift at top decile |');
    console.log('|---|---|---|---|---|');
    const row = (
      name: string,
      e: { auc: number | null; brier: number | null; logLoss: number | null; liftAtTopDecile: number | null },
    ) =>
      console.log(
        `| ${name} | ${fixed(e.auc, 4)} | ${fixed(e.brier, 4)} | ${fixed(e.logLoss, 4)} | ${fixed(e.liftAtTopDecile, 2)} |`,
      );
    row('Smarketing learned score', result.learned);
    row("default agreement's points (Platt-calibrated)", result.defaultAgreement);
    row('hand-written bank points (Platt-calibrated)', result.bankAgreement);
    if (typeof result.sklearn === 'string') console.log(result.sklearn);
    else for (const [name, figures] of Object.entries(result.sklearn)) row(`scikit-learn ${name}`, figures);
    console.log('\nReliability of the learned score on the hold-out (deciles of prediction):');
    console.log('| leads | mean predicted | observed | 95 % interval |');
    console.log('|---|---|---|---|');
    for (const bin of result.learned.reliability) {
      console.log(
        `| ${bin.leads} | ${fixed(bin.meanPredicted)} | ${fixed(bin.observed)} | [${fixed(bin.observedLow)}, ${fixed(bin.observedHigh)}] |`,
      );
    }
  }
}

if (parts.has('scale')) {
  const building = performance.now();
  const history = createSyntheticHistory({
    contacts,
    activitiesPerContact: perContact,
    days: 365,
    startMs: Date.UTC(2026, 0, 1),
  });
  console.log(
    `\nScale: ${history.contacts.toLocaleString('en')} contacts, ${history.activities.toLocaleString('en')} activities, ${history.facts.toLocaleString('en')} facts (built in ${seconds(building).toFixed(1)} s)`,
  );
  const pass: number[] = [];
  const replay: number[] = [];
  const fit: number[] = [];
  const backtest: number[] = [];
  const suggest: number[] = [];
  let claim = '';
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    passOnce(history.steps());
    pass.push(seconds(started));
    started = performance.now();
    replayOnce(agreement, history.steps());
    replay.push(seconds(started));

    started = performance.now();
    const collector = createHistoryCollector();
    for (const step of history.steps()) collector.add(step);
    const histories = collector.finish();
    const result = analyzeInsights(agreement, histories, { asOf: history.endMs, horizonDays: 180 });
    fit.push(seconds(started));
    started = performance.now();
    const suggestion = suggestAgreement(defaultAgreementYaml, agreement, result);
    if (!suggestion.ok) throw new Error('the suggestion does not validate');
    suggest.push(seconds(started));
    const rate = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)} %`);
    claim = `hold-out AUC ${fixed(result.insights.model.evaluation?.learned.auc)} (agreement ${fixed(result.insights.model.evaluation?.agreement.auc)}); suggestion claims MQLs ${suggestion.claim.current.mqls} at ${rate(suggestion.claim.current.closeRate)} → ${suggestion.claim.candidate.mqls} at ${rate(suggestion.claim.candidate.closeRate)} in sample`;

    started = performance.now();
    const report = runBacktest(agreement, suggestion.agreement, () => history.steps(), {
      months: 6,
      horizonDays: 180,
      score: result.score,
      histories: new Map(histories.map((h) => [h.contactId, h])),
    });
    backtest.push(seconds(started));
    claim += `; backtest MQLs ${report.current.totals.mqls} at ${rate(report.current.totals.actualCloseRate)} → ${report.candidate.totals.mqls} at ${rate(report.candidate.totals.actualCloseRate)}`;
  }
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    '| contacts | facts | one bare pass | one engine replay | engine µs/fact | fit (history + analysis) | suggestion | backtest (2 replays + comparison) | backtest / bare pass | backtest / 2 replays | target (≤ 3× bare pass) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const ratio = median(backtest) / median(pass);
  console.log(
    `| ${contacts.toLocaleString('en')} | ${history.facts.toLocaleString('en')} | ${median(pass).toFixed(1)} s | ${median(replay).toFixed(1)} s | ${((median(replay) * 1e6) / history.facts).toFixed(1)} | ${median(fit).toFixed(1)} s | ${median(suggest).toFixed(1)} s | ${median(backtest).toFixed(1)} s | ${ratio.toFixed(1)}× | ${(median(backtest) / (2 * median(replay))).toFixed(2)}× | ${ratio <= 3 ? 'met' : '**missed**'} |`,
  );
  console.log(`runs ${runs} (medians); ${claim}; heap ${heap.toFixed(0)} MiB at the end`);
}
