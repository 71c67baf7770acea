/**
 * bench/reports: the latency of each report on a workspace of 1M contacts and 10M activities (with
 * their stage transitions, assignments, SLA clocks, touches, feedback and deals, written set-based
 * by bench/lib/report-fill.ts), on PGlite and on PostgreSQL, against a straightforward hand-written
 * SQL query for the same figures (bench/lib/report-hand-sql.ts) run in the same process. Before
 * timing, each report's figures are checked equal to its hand-written query's. Runs alternate
 * report and query; figures are medians (and p90) of the runs.
 *
 *   npm run bench:reports                              # 1M contacts, PGlite then PostgreSQL
 *   npm run bench:reports -- --contacts 100000         # a quick run
 *   npm run bench:reports -- --runs 7 --databases postgres --reports funnel,sla
 *   BENCH_DATABASE_URL=postgres://… npm run bench:reports   # an existing PostgreSQL
 *   BENCH_DATABASE_URL=… npm run bench:reports -- --databases postgres --workspace <id>
 *                                                      # time a workspace filled by an earlier run
 *   npm run bench:reports -- --pglite-shared-buffers-mb 128   # PGlite with its default page cache
 *
 * PGlite runs with a 1 GB page cache (SMARKETING_PGLITE_SHARED_BUFFERS_MB) unless told otherwise,
 * as a workspace of this size would be run; the PostgreSQL it is compared with should have one at
 * least as large (the BENCHMARKS figures: `shared_buffers` 4 GB).
 *
 * Targets (PostgreSQL): funnel ≤ 1 s, waterfall ≤ 2 s, the others ≤ 1 s; PGlite within 3× of
 * PostgreSQL; each report ≤ 1.0× its hand-written query.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type Agreement,
  resolveGoalPeriod,
  resolveReportPeriod,
  resolveSlaPeriod,
} from '../packages/core/src/index.ts';
import type { Database } from '../packages/server/src/db/client.ts';
import { getAttributionReport } from '../packages/server/src/use-cases/reports/get-attribution-report.ts';
import { getClogReport } from '../packages/server/src/use-cases/reports/get-clog-report.ts';
import { getCloseRatesReport } from '../packages/server/src/use-cases/reports/get-close-rates-report.ts';
import { getFollowThroughReport } from '../packages/server/src/use-cases/reports/get-follow-through-report.ts';
import { getFunnelReport } from '../packages/server/src/use-cases/reports/get-funnel-report.ts';
import { getGoalTreeReport } from '../packages/server/src/use-cases/reports/get-goal-tree-report.ts';
import { getLeadFlowReport } from '../packages/server/src/use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../packages/server/src/use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../packages/server/src/use-cases/reports/get-waterfall-report.ts';
import type { ReportDeps } from '../packages/server/src/use-cases/reports/report-context.ts';
import { createWorkspace } from '../packages/server/src/use-cases/workspaces/create-workspace.ts';
import { benchDeps, onEachDatabase } from './lib/databases.ts';
import { countReportWorkspace, fillReportWorkspace } from './lib/report-fill.ts';
import {
  attributionDigest,
  clogsDigest,
  closeRatesDigest,
  followThroughDigest,
  funnelDigest,
  goalTreeDigest,
  handAttribution,
  handClogs,
  handCloseRates,
  handFollowThrough,
  handFunnel,
  handGoalTree,
  handLeadFlow,
  handSla,
  handWaterfall,
  leadFlowDigest,
  slaDigest,
  waterfallDigest,
} from './lib/report-hand-sql.ts';
import { median, percentile } from './lib/stats.ts';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const given = index >= 0 ? process.argv[index + 1] : undefined;
  return given ?? process.env[`BENCH_REPORTS_${name.toUpperCase()}`] ?? fallback;
}

const contacts = Number(option('contacts', '1000000'));
const activitiesPerContact = Number(option('activities-per-contact', '10'));
const runs = Number(option('runs', process.env.BENCH_RUNS ?? '5'));
const databases = option('databases', 'pglite,postgres').toLowerCase();
const pgliteSharedBuffersMb = Number(option('pglite-shared-buffers-mb', '1024'));
if (!Number.isInteger(pgliteSharedBuffersMb) || pgliteSharedBuffersMb < 16 || pgliteSharedBuffersMb > 2048)
  throw new Error('--pglite-shared-buffers-mb: a whole number of MB from 16 to 2048');
/** A workspace an earlier run filled (kept in BENCH_DATABASE_URL or BENCH_PGLITE_DIR): no fill. */
const reuse = option('workspace', '');
const only = new Set(
  option(
    'reports',
    'funnel,lead-flow,waterfall,sla,follow-through,close-rates,attribution,goal-tree,clogs',
  ).split(','),
);
if (!Number.isInteger(contacts) || contacts < 100) throw new Error('--contacts: a whole number ≥ 100');
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: a whole number ≥ 1');

/** The year of facts starts here; asOf is ten days after it ends. */
const startMs = Date.parse('2026-01-01T00:00:00Z');
const asOf = new Date('2027-01-10T00:00:00Z');
const log = (line: string) => console.error(line);

type Case = {
  report: string;
  figure: string;
  target: number;
  run: () => Promise<unknown>;
  /** The hand-written query for the same figures: the report's are checked against it and timed beside it. */
  hand?: () => Promise<unknown>;
};

const results: string[] = [];
const mismatches: string[] = [];
const byReport = new Map<string, Map<string, number>>();

async function bench(name: string, database: Database): Promise<string[]> {
  if (!databases.split(',').some((wanted) => name.toLowerCase().includes(wanted))) return [];
  const base = await benchDeps(database);
  try {
    const workspaceId =
      reuse ||
      (await createWorkspace({ name: `Reports ${Date.now()}`, createdBy: 'bench' }, base)).workspaceId;
    log(
      `${name}: ${reuse ? 'reusing' : 'filling'} workspace ${workspaceId} (${contacts.toLocaleString('en')} contacts)`,
    );
    const started = performance.now();
    const filled = reuse
      ? await countReportWorkspace(database, workspaceId)
      : await fillReportWorkspace(database, {
          workspaceId,
          contacts,
          activitiesPerContact,
          startMs,
          endMs: asOf.getTime(),
          log,
        });
    const fillSeconds = (performance.now() - started) / 1000;
    log(`${name}: filled in ${fillSeconds.toFixed(0)} s: ${JSON.stringify(filled)}`);
    const deps: ReportDeps = { repos: base.repos, clock: () => asOf };
    const latest = await base.repos.agreementVersions.findLatest(workspaceId);
    const agreement = latest?.parsed as Agreement;
    const period = (from: string, to: string) => {
      const resolved = resolveReportPeriod({ from, to }, agreement.timezone);
      if (!resolved.ok) throw new Error(resolved.error.message);
      return resolved.value;
    };
    const quarter = { from: '2026-04', to: '2026-07' };
    const half = { from: '2026-01', to: '2026-07' };
    const slaPeriod = resolveSlaPeriod('2026-06', agreement);
    const goal = resolveGoalPeriod('2026', agreement.timezone);
    if (!goal.ok) throw new Error(goal.error.message);
    const goalPeriod = goal.value;
    if (!slaPeriod.ok) throw new Error(slaPeriod.error.message);
    const cases: Case[] = [
      {
        report: 'funnel',
        figure: `2026-Q2, both views, time in stage`,
        target: 1,
        run: async () => funnelDigest(await getFunnelReport({ workspaceId, ...quarter }, deps)),
        hand: () =>
          handFunnel(database, { workspaceId, agreement, period: period(quarter.from, quarter.to), asOf }),
      },
      {
        report: 'lead-flow',
        figure: '2026-Q2 by month, with quality',
        target: 1,
        run: async () =>
          leadFlowDigest(await getLeadFlowReport({ workspaceId, ...quarter, unit: 'month' }, deps)),
        hand: () =>
          handLeadFlow(database, {
            workspaceId,
            agreement,
            period: period(quarter.from, quarter.to),
            unit: 'month',
            asOf,
          }),
      },
      {
        report: 'waterfall',
        figure: '2026-H1 monthly cohorts followed to asOf, flow',
        target: 2,
        run: async () =>
          waterfallDigest(await getWaterfallReport({ workspaceId, ...half, unit: 'month' }, deps)),
        hand: () =>
          handWaterfall(database, {
            workspaceId,
            agreement,
            period: period(half.from, half.to),
            unit: 'month',
            asOf,
          }),
      },
      {
        report: 'sla',
        figure: 'period 2026-06, by team',
        target: 1,
        run: async () => slaDigest(await getSlaReport({ workspaceId, period: '2026-06' }, deps)),
        hand: () => handSla(database, { workspaceId, agreement, period: slaPeriod.value, asOf }),
      },
      {
        report: 'follow-through',
        figure: '2026-Q2, by rep and team',
        target: 1,
        run: async () => followThroughDigest(await getFollowThroughReport({ workspaceId, ...quarter }, deps)),
        hand: () =>
          handFollowThrough(database, {
            workspaceId,
            agreement,
            period: period(quarter.from, quarter.to),
            asOf,
          }),
      },
      {
        report: 'close-rates',
        figure: '2026-Q2, by source, persona, quadrant; deals',
        target: 1,
        run: async () => closeRatesDigest(await getCloseRatesReport({ workspaceId, ...quarter }, deps)),
        hand: () =>
          handCloseRates(database, {
            workspaceId,
            agreement,
            period: period(quarter.from, quarter.to),
            asOf,
          }),
      },
      // The baseline finds the deals won in the period and their touchpoints (the person's and its
      // account's activities naming a campaign, up to the deal's creation) in SQL, and splits each
      // deal to the cent under the six models there too (window functions for order, shares and
      // largest remainders).
      {
        report: 'attribution',
        figure: '2026-Q2, six models',
        target: 1,
        run: async () => attributionDigest(await getAttributionReport({ workspaceId, ...quarter }, deps)),
        hand: () =>
          handAttribution(database, {
            workspaceId,
            agreement,
            period: period(quarter.from, quarter.to),
            asOf,
          }),
      },
      {
        report: 'goal-tree',
        figure: '2026, with the trailing window',
        target: 1,
        run: async () => goalTreeDigest(await getGoalTreeReport({ workspaceId, period: '2026' }, deps)),
        hand: () => handGoalTree(database, { workspaceId, agreement, period: goalPeriod, asOf }),
      },
      {
        report: 'clogs',
        figure: '2026-Q2 against its baseline',
        target: 1,
        run: async () => clogsDigest(await getClogReport({ workspaceId, ...quarter }, deps)),
        hand: () =>
          handClogs(database, { workspaceId, agreement, period: period(quarter.from, quarter.to), asOf }),
      },
    ];
    for (const item of cases.filter((candidate) => only.has(candidate.report))) {
      // The first run of each is a warm-up, and the check that both give the same figures.
      const report = await item.run();
      const hand = item.hand === undefined ? undefined : await item.hand();
      const equal = item.hand === undefined || isDeepStrictEqual(report, hand);
      if (!equal) {
        mismatches.push(
          `${name} ${item.report}: report ${JSON.stringify(report)}\n  hand SQL ${JSON.stringify(hand)}`,
        );
      }
      const reportTimes: number[] = [];
      const handTimes: number[] = [];
      for (let run = 0; run < runs; run++) {
        let at = performance.now();
        await item.run();
        reportTimes.push((performance.now() - at) / 1000);
        if (item.hand === undefined) continue;
        at = performance.now();
        await item.hand();
        handTimes.push((performance.now() - at) / 1000);
      }
      const reportMedian = median(reportTimes);
      const handMedian = item.hand === undefined ? undefined : median(handTimes);
      const ratio = handMedian === undefined ? undefined : reportMedian / handMedian;
      log(
        `  ${item.report}: ${reportTimes.map((t) => t.toFixed(2)).join(' ')} s${handMedian === undefined ? '' : ` vs hand ${handTimes.map((t) => t.toFixed(2)).join(' ')} s`}`,
      );
      const perDatabase = byReport.get(item.report) ?? new Map<string, number>();
      perDatabase.set(name, reportMedian);
      byReport.set(item.report, perDatabase);
      const pglite = name.startsWith('PGlite');
      const targetMet = pglite ? undefined : reportMedian <= item.target;
      const ratioText = ratio === undefined ? 'no baseline yet' : `${ratio.toFixed(2)}×`;
      const ratioTarget = ratio === undefined ? '' : `, ratio ${ratio <= 1 ? 'met' : '**missed**'}`;
      results.push(
        `| ${name} | ${filled.contacts.toLocaleString('en')} / ${filled.activities.toLocaleString('en')} / ${filled.transitions.toLocaleString('en')} | ${item.report} | ${item.figure} | ${runs} | ${reportMedian.toFixed(3)} s | ${percentile(reportTimes, 90).toFixed(3)} s | ${handMedian === undefined ? '—' : `${handMedian.toFixed(3)} s`} | ${ratioText} | ${item.hand === undefined ? '—' : equal ? 'equal' : '**differ**'} | ${pglite ? '(see below)' : `≤ ${item.target} s ${targetMet ? 'met' : '**missed**'}${ratioTarget}`} |`,
      );
    }
    results.push(
      `| ${name} | fill | | ${filled.contacts.toLocaleString('en')} contacts (${filled.merged.toLocaleString('en')} merged), ${filled.activities.toLocaleString('en')} activities, ${filled.transitions.toLocaleString('en')} transitions, ${filled.assignments.toLocaleString('en')} assignments, ${filled.clocks.toLocaleString('en')} clocks, ${filled.touches.toLocaleString('en')} touches, ${filled.feedback.toLocaleString('en')} feedback, ${filled.deals.toLocaleString('en')} deals ${reuse ? '(filled by an earlier run)' : `in ${fillSeconds.toFixed(0)} s`} | | | | | | | |`,
    );
  } finally {
    await base.ingest.close();
  }
  return [];
}

await onEachDatabase(bench, { pgliteSharedBuffersMb });

console.log(
  `\nReports bench: --contacts ${contacts} --activities-per-contact ${activitiesPerContact} --runs ${runs}, --pglite-shared-buffers-mb ${pgliteSharedBuffersMb}, asOf ${asOf.toISOString()}\n`,
);
console.log(
  'Sides: the reports (funnel, lead flow, waterfall, SLA delivered leads) read the rollup `person_timelines`,\n' +
    'kept by triggers as transitions and merges are written (its upkeep is inside the fill time); the\n' +
    'hand-written SQL rebuilds person timelines from `stage_transitions` and `contacts` on every call.\n' +
    'SLA clocks are read from `sla_clocks` by both.\n',
);
console.log(
  [
    '| database | contacts / activities / transitions | report | figure | runs | median | p90 | hand SQL median | report / hand SQL | figures | targets (PostgreSQL) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results,
  ].join('\n'),
);
const pgliteVsPostgres: string[] = [];
for (const [report, perDatabase] of byReport) {
  const pglite = [...perDatabase.entries()].find(([name]) => name.startsWith('PGlite'))?.[1];
  const postgres = [...perDatabase.entries()].find(([name]) => name.startsWith('PostgreSQL'))?.[1];
  if (pglite !== undefined && postgres !== undefined)
    pgliteVsPostgres.push(
      `| ${report} | ${pglite.toFixed(3)} s | ${postgres.toFixed(3)} s | ${(pglite / postgres).toFixed(2)}× | ${pglite / postgres <= 3 ? 'met' : '**missed**'} |`,
    );
}
if (pgliteVsPostgres.length > 0) {
  console.log(
    '\n| report | PGlite median | PostgreSQL median | PGlite / PostgreSQL | ≤ 3× |\n|---|---|---|---|---|',
  );
  console.log(pgliteVsPostgres.join('\n'));
}
for (const mismatch of mismatches) console.log(`\nFIGURES DIFFER: ${mismatch}`);
if (mismatches.length > 0) process.exitCode = 1;
