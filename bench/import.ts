/**
 * bench/import: `smarketing import` (the importCsv use case: a check pass, then a write pass
 * storing contacts, touches and deal events in large set-based chunks) against two raw `COPY`s in
 * the same database: of the same file into a staging table of text columns, and — the fairest
 * floor — of the records the import produced straight into the same tables (indexes, constraints
 * and triggers included), for another workspace. Each run imports into a fresh workspace; each
 * figure is the median of several alternating runs.
 *
 *   npm run bench:import                 # PGlite, and PostgreSQL when its server binaries exist
 *   BENCH_RUNS=5 npm run bench:import    # default 3, or 1 when a run takes over a minute
 *   BENCH_DATA_DIR=/data npm run bench:import             # default ../shared/data from the repo
 *   BENCH_DATABASE_URL=postgres://… npm run bench:import  # an existing PostgreSQL
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../packages/server/src/db/client.ts';
import type { Deps } from '../packages/server/src/deps.ts';
import { type ImportCsvOptions, importCsv } from '../packages/server/src/use-cases/imports/import-csv.ts';
import { createWorkspace } from '../packages/server/src/use-cases/workspaces/create-workspace.ts';
import {
  type CsvSource,
  copyCsv,
  dropStagingTable,
  prepareCsvSource,
  resetStagingTable,
} from './lib/copy-csv.ts';
import { copyFacts, exportFacts } from './lib/copy-facts.ts';
import { benchDeps, onEachDatabase } from './lib/databases.ts';
import { formatRate as formatThousands, median } from './lib/stats.ts';

const runsGiven = process.env.BENCH_RUNS;
const runs = Number(runsGiven ?? 3);
/** Without BENCH_RUNS, an input whose first import takes longer than this is run once. */
const longRunSeconds = 60;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(repoRoot, process.env.BENCH_DATA_DIR ?? '../shared/data');
const fixtures = join(repoRoot, 'packages/server/test/fixtures/import');

type Input = {
  name: string;
  file: string;
  /** A small file of the same layout, for the warm-up (and instead of `file` when it is absent). */
  fixture: string;
  /** As `smarketing import` is given them; the layout is detected. */
  options: Pick<ImportCsvOptions, 'rep'>;
};

const inputs: Input[] = [
  {
    name: 'maven-crm',
    file: join(dataDir, 'crm-sales-opportunities/sales_pipeline.csv'),
    fixture: join(fixtures, 'maven-crm/sales_pipeline.csv'),
    options: {},
  },
  {
    name: 'bank-marketing',
    file: join(dataDir, 'bank-marketing/bank-additional-full.csv'),
    fixture: join(fixtures, 'bank-marketing/bank-additional-sample.csv'),
    // `--rep alex`, a rep of the default agreement, so the touches are not rejected.
    options: { rep: 'alex' },
  },
];

for (const input of inputs) {
  if (existsSync(input.file)) continue;
  console.warn(
    `${input.file} is absent (set BENCH_DATA_DIR to the shared data sets): benching the small fixture ${relative(repoRoot, input.fixture)} instead.`,
  );
  input.file = input.fixture;
}

type Run = {
  rows: number;
  importSeconds: number;
  checkSeconds: number;
  copySeconds: number;
  /** The raw COPY of the facts the import stored, and how many records they are. */
  factCopySeconds: number;
  factRecords: number;
  created: { contacts: number; touches: number; dealEvents: number };
  skipped: number;
  rejected: number;
};

const formatRate = (value: number) =>
  value >= 1_000_000 ? `${(value / 1_000_000).toFixed(2)}M` : formatThousands(value);
const say = (line: string) => process.stderr.write(`${line}\n`);
const count = (value: number) => value.toLocaleString('en-US');
let workspaces = 0;

async function newWorkspace(deps: Deps): Promise<string> {
  workspaces += 1;
  const { workspaceId } = await createWorkspace(
    { name: `Bench import ${Date.now()} ${workspaces}`, createdBy: 'bench' },
    deps,
  );
  return workspaceId;
}

async function importOnce(deps: Deps, input: Input, file: string, rejectsDir: string) {
  const workspaceId = await newWorkspace(deps);
  const started = performance.now();
  let checked = started;
  const result = await importCsv(
    {
      workspaceId,
      file,
      ...input.options,
      // Never beside the shared data set; nothing is expected in it.
      rejectsFile: join(rejectsDir, `${workspaces}.rejects.csv`),
      onProgress: (progress) => {
        if (progress.phase === 'checking') checked = performance.now();
      },
    },
    deps,
  );
  const finished = performance.now();
  return {
    result,
    workspaceId,
    importSeconds: (finished - started) / 1000,
    checkSeconds: (checked - started) / 1000,
  };
}

/** The fact floor: the records the import stored in `workspaceId`, COPYed into a fresh workspace. */
async function copyFactsOnce(deps: Deps, workspaceId: string) {
  const target = await newWorkspace(deps);
  const facts = await exportFacts(deps.database, workspaceId, target);
  try {
    return { records: facts.records, seconds: await copyFacts(deps.database, facts) };
  } finally {
    await facts.dispose();
  }
}

async function copyOnce(database: Database, source: CsvSource) {
  await resetStagingTable(database, source);
  const started = performance.now();
  const rows = await copyCsv(database, source);
  return { rows, seconds: (performance.now() - started) / 1000 };
}

async function benchInput(label: string, deps: Deps, input: Input, rejectsDir: string): Promise<string> {
  const { database } = deps;
  const source = await prepareCsvSource(database, input.file);
  const warmUp = await prepareCsvSource(database, input.fixture);
  const measured: Run[] = [];
  try {
    await copyOnce(database, warmUp);
    await importOnce(deps, input, input.fixture, rejectsDir);
    for (let run = 0; run < runs; run++) {
      // COPY first, then the import: alternating, so drift hits both alike.
      const copied = await copyOnce(database, source);
      const { result, workspaceId, importSeconds, checkSeconds } = await importOnce(
        deps,
        input,
        input.file,
        rejectsDir,
      );
      const facts = await copyFactsOnce(deps, workspaceId);
      if (copied.rows !== result.rows.total) {
        throw new Error(
          `${input.file}: COPY loaded ${copied.rows} rows, the import read ${result.rows.total}.`,
        );
      }
      measured.push({
        rows: result.rows.total,
        importSeconds,
        checkSeconds,
        copySeconds: copied.seconds,
        factCopySeconds: facts.seconds,
        factRecords: facts.records,
        created: {
          contacts: result.records.contacts?.created ?? 0,
          touches: result.records.touches?.created ?? 0,
          dealEvents: result.records.dealEvents?.created ?? 0,
        },
        skipped: result.rows.skipped,
        rejected: result.rows.rejected,
      });
      say(
        `  ${label} · ${input.name} · run ${run + 1}/${runs}: import ${count(result.rows.total)} rows in ${importSeconds.toFixed(2)} s (check pass ${checkSeconds.toFixed(2)} s), COPY in ${copied.seconds.toFixed(3)} s, COPY of its ${count(facts.records)} records in ${facts.seconds.toFixed(2)} s${result.rows.skipped + result.rows.rejected > 0 ? `; ${count(result.rows.skipped)} skipped, ${count(result.rows.rejected)} rejected` : ''}`,
      );
      if (run === 0 && !runsGiven && runs > 1 && importSeconds > longRunSeconds) {
        say(`  over ${longRunSeconds} s: one run only (set BENCH_RUNS to insist)`);
        break;
      }
    }
  } finally {
    await dropStagingTable(database);
    await source.dispose();
    await warmUp.dispose();
  }

  const [first] = measured;
  if (!first) throw new Error('No run was measured.');
  const rate = (pick: (run: Run) => number) => median(measured.map((run) => pick(run) / run.importSeconds));
  const importRate = rate((run) => run.rows);
  const copyRate = median(measured.map((run) => run.rows / run.copySeconds));
  const factCopyRate = median(measured.map((run) => run.factRecords / run.factCopySeconds));
  const factShare = median(measured.map((run) => run.factCopySeconds / run.importSeconds));
  const checkShare = median(measured.map((run) => run.checkSeconds / run.importSeconds));
  const records = rate((run) => run.created.contacts + run.created.touches + run.created.dealEvents);
  const kinds = [
    `${formatRate(rate((run) => run.created.contacts))} contacts`,
    ...(first.created.touches > 0 ? [`${formatRate(rate((run) => run.created.touches))} touches`] : []),
    `${formatRate(rate((run) => run.created.dealEvents))} deal events`,
  ];
  const written = first.created.contacts + first.created.touches + first.created.dealEvents;
  return `| ${label} | ${input.name} | ${count(first.rows)} → ${count(written)}${first.skipped + first.rejected > 0 ? ` (${count(first.skipped)} skipped, ${count(first.rejected)} rejected)` : ''} | ${measured.length} | ${formatRate(importRate)} | ${(checkShare * 100).toFixed(0)} % | ${formatRate(records)} (${kinds.join(', ')}) | ${formatRate(copyRate)} | 1/${(copyRate / importRate).toFixed(0)} | ${count(first.factRecords)} in ${formatRate(factCopyRate)}/s | ${factShare.toFixed(2)}× |`;
}

async function benchDatabase(label: string, database: Database, rejectsDir: string): Promise<string[]> {
  const deps = await benchDeps(database);
  const rows: string[] = [];
  try {
    for (const input of inputs) {
      say(`${label}: ${relative(repoRoot, input.file)}`);
      rows.push(await benchInput(label, deps, input, rejectsDir));
    }
  } finally {
    await deps.ingest.close();
  }
  return rows;
}

const header = [
  '| database | input | rows → records | runs | import rows/s | check pass | records written/s | COPY rows/s | import / COPY | fact COPY (records, rate) | import / fact COPY |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
const rows = await onEachDatabase(benchDatabase);

console.log(
  `\n\`smarketing import\` (importCsv, fresh workspace per run) vs a raw COPY of the same file into a text staging table, and vs a raw COPY of the records it stored into the same tables (median of up to ${runs} runs)\n`,
);
console.log([...header, ...rows].join('\n'));
console.log(
  "\ncheck pass: share of the import spent reading and mapping every row before the first write; records written/s: contacts + touches + deal events created; fact COPY: every row the import stored (accounts, contacts, identities, deals, deal events, touches, stage transitions) COPYed into the same tables for another workspace; import / fact COPY: the COPY's time over the import's (1 = as fast as the raw COPY; the target is ≥ 0.5).",
);
