import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type {
  ContactRecord,
  DealEventRecord,
  RecordOutcome,
  SegmentMessage,
  TouchRecord,
} from '@smarketing/core';
import {
  type ColumnMap,
  createRowMapper,
  type DateFormat,
  decideDateOrder,
  type FileError,
  formatImportError,
  type ImportKind,
  type ImportPlan,
  type LayoutId,
  type MappedRecords,
  parseColumnMap,
  planImport,
  type ReferenceTable,
  type RowMapper,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Db } from '../../db/client.ts';
import type { Deps } from '../../deps.ts';
import {
  type CsvFormat,
  type CsvProblem,
  detectCsvFormat,
  readCsvRecords,
} from '../../ingest/csv/read-csv.ts';
import { type CsvWriter, createLazyCsvWriter } from '../../ingest/csv/write-csv.ts';
import { createIngestWriter } from '../../ingest/ingest-writer.ts';
import { createRepositories } from '../../repositories/index.ts';
import { loadAgreement } from '../facts/fact-checks.ts';
import { recordDealEvents } from '../facts/record-deal-events.ts';
import { recordTouches } from '../facts/record-touches.ts';
import { type UpsertContactsOutcome, upsertContacts } from '../facts/upsert-contacts.ts';
import { ingestMessages } from '../ingest/ingest-messages.ts';
import { lookUpChunkIdentities } from './chunk-identities.ts';
import { storeImportedContacts } from './store-contacts.ts';
import { storeImportedDealEvents } from './store-deal-events.ts';
import { storeImportedTouches } from './store-touches.ts';

export type ImportCsvOptions = {
  workspaceId: string;
  file: string;
  kind?: ImportKind | undefined;
  layout?: LayoutId | undefined;
  /** A `--map` document (YAML or JSON) and its file name, for messages. */
  map?: { text: string; name: string } | undefined;
  dateFormat?: DateFormat | undefined;
  source?: string | undefined;
  /** The rep of touches whose rows name none. */
  rep?: string | undefined;
  /** Check the file and count what would change, then roll everything back. */
  dryRun?: boolean | undefined;
  /**
   * Where skipped rows go: default `<file>.rejects.csv` (a dry run writes none unless named);
   * `null`: nowhere.
   */
  rejectsFile?: string | null | undefined;
  /** Rows per chunk of the write pass: one transaction, a few set-based statements per kind of record. */
  batchSize?: number | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
};

export type ImportProgress = {
  phase: 'checking' | 'importing';
  rows: number;
  bytes: number;
  totalBytes: number;
};

type ImportCounts = { created: number; updated?: number; duplicates: number; rejected: number };

export type ImportCsvResult = {
  file: string;
  dryRun: boolean;
  layout: LayoutId;
  kind: ImportKind;
  label: string;
  source: string;
  chosenBy: ImportPlan['chosenBy'];
  /** The best candidates of the detection, each with its score explained. */
  detection: string[];
  delimiter: string;
  delimiterReason: string;
  encoding: string;
  dateFormat: DateFormat;
  columns: { header: string; field: string }[];
  ignored: { header: string; why: string }[];
  warnings: string[];
  rows: {
    /** Data rows in the file (the header not counted). */
    total: number;
    /** Rows mapped to records. */
    mapped: number;
    /** Rows skipped by the mapping (see `reasons`). */
    skipped: number;
    /** Mapped rows of which the storage rejected a record (see `reasons`). */
    rejected: number;
  };
  /** Why rows were skipped or records rejected, most frequent first, with an example. */
  reasons: { code: string; rows: number; example: string }[];
  records: Partial<Record<'contacts' | 'touches' | 'dealEvents' | 'activities', ImportCounts>>;
  rejectsFile: string | undefined;
  seconds: number;
  rowsPerSecond: number | undefined;
};

type ImportDeps = Pick<Deps, 'database' | 'clock' | 'ingest' | 'log'>;

const defaultBatchSize = 10_000;
const analyzeAfterRows = 1_000;
const shownErrors = 20;
const progressEvery = 1_000;
/**
 * The check pass keeps the mapped rows of a file up to this size for the write pass, which then
 * neither reads nor maps it again; a larger file is read and mapped twice, so memory stays
 * bounded (kept rows take about 16 times their size in the file: ~100 MB for bank-marketing's
 * 5.8 MB).
 */
const keptBytesLimit = 16 * 1024 * 1024;

/**
 * Imports a CSV export in two passes. The check pass maps every row: a file that cannot be
 * trusted (wrong field counts, unclosed quotes, bytes that are not text, an unknown layout, a
 * missing column, dates whose day/month order cannot be told) stops the import before anything
 * is written, with every problem located by row; rows with an ordinary problem (no contact
 * named, a bad date…) are skipped and written to the rejects file. The write pass stores the
 * records the check pass mapped (or, for a file too long to keep them, reads and maps the rows
 * again) in large chunks, one transaction each (see `storeFacts`), whose idempotency keys make a
 * re-import change nothing. A dry run does both passes in one transaction and rolls it back.
 */
export async function importCsv(options: ImportCsvOptions, deps: ImportDeps): Promise<ImportCsvResult> {
  const started = deps.clock().getTime();
  const { file } = options;
  const totalBytes = await sizeOf(file);
  const format = await detectCsvFormat(file);
  const header = await readHeader(file, format);

  let map: ColumnMap | undefined;
  if (options.map) {
    const parsed = parseColumnMap(options.map.text);
    if (!parsed.ok) {
      throw new AppError('VALIDATION_FAILED', {
        message: [`The map ${options.map.name} is not valid:`, ...parsed.problems.map((p) => `  ${p}`)].join(
          '\n',
        ),
        details: { file: options.map.name, problems: parsed.problems },
      });
    }
    map = parsed.map;
  }
  const planned = planImport({
    header,
    layout: options.layout,
    kind: options.kind,
    map,
    dateFormat: options.dateFormat,
    source: options.source,
    rep: options.rep,
  });
  if (!planned.ok) throw cannotImport(file, planned.errors, planned.errors.length);
  let plan = planned.plan;
  const warnings = [...plan.warnings];
  const references = await readReferences(plan, file, warnings);

  const dryRun = options.dryRun ?? false;
  const rejectsPath =
    options.rejectsFile === null
      ? undefined
      : (options.rejectsFile ?? (dryRun ? undefined : `${file}.rejects.csv`));
  const rejects = rejectsPath
    ? createLazyCsvWriter(rejectsPath, ['row', 'column', 'code', 'reason', ...header])
    : undefined;
  const progress = (phase: ImportProgress['phase'], rows: number, bytes: number) =>
    options.onProgress?.({ phase, rows, bytes, totalBytes });

  let check = await checkRows(file, format, plan, references, rejects, progress);
  if (check.problems.length === 0 && plan.dateFormat === 'auto') {
    const verdict = decideDateOrder(check.mapper.dateOrderEvidence());
    const examples = check.mapper.dateOrderEvidence().examples;
    if (verdict.kind === 'day-first') {
      plan = { ...plan, dateFormat: 'DD/MM/YYYY' };
      warnings.push(
        `dates are written day first (e.g. row ${examples.dayFirst?.row}: ${examples.dayFirst?.text}); read as DD/MM/YYYY`,
      );
      await rejects?.discard();
      check = await checkRows(file, format, plan, references, rejects, progress);
    } else if (verdict.kind === 'month-first' && examples.monthFirst) {
      // Every slash date read month first, and one of them only reads that way. The records kept
      // by the check stay right: without a date that proves day first, every date was read as
      // MM/DD/YYYY reads it.
      plan = { ...plan, dateFormat: 'MM/DD/YYYY' };
    } else if (verdict.kind === 'ambiguous' || verdict.kind === 'mixed') {
      await rejects?.discard();
      const example = examples.ambiguous ?? examples.dayFirst;
      const error: FileError =
        verdict.kind === 'ambiguous'
          ? {
              row: example?.row ?? 1,
              code: 'ambiguous-date-order',
              message: `every date like "${example?.text}" reads both month first and day first; pass --date-format MM/DD/YYYY or DD/MM/YYYY`,
            }
          : {
              row: examples.dayFirst?.row ?? 1,
              code: 'mixed-date-order',
              message: `"${examples.dayFirst?.text}" is day first but row ${examples.monthFirst?.row} has "${examples.monthFirst?.text}", month first`,
            };
      throw cannotImport(file, [error], 1);
    }
  }
  if (check.problems.length > 0) {
    await rejects?.discard();
    throw cannotImport(
      file,
      check.problems.map((p) => ({ row: p.line, code: p.code, message: p.message })),
      check.problems.length,
    );
  }
  if (check.rows === 0) warnings.push('the file has a header but no rows: nothing to import');

  const write = async (writeDeps: ImportDeps) =>
    writeRows(options, writeDeps, { file, format, plan, references, rejects, progress, check });
  let written: Awaited<ReturnType<typeof writeRows>>;
  try {
    written = dryRun ? await rolledBack(deps, write) : await write(deps);
  } finally {
    // Kept when the write fails half-way: the rows skipped so far are still skipped on a retry.
    await rejects?.close();
  }
  if (!dryRun && check.rows >= analyzeAfterRows) {
    // PGlite runs no autovacuum: without fresh statistics the planner keeps plans made for empty
    // tables, and the next writes become many times slower. PostgreSQL's autovacuum keeps the
    // columns' statistics, but not in time to know how many rows the workspace now holds.
    await createRepositories(deps.database.db).ingest.refreshStatistics(
      deps.database.kind === 'pglite' ? 'all' : 'workspace',
    );
  }

  const seconds = (deps.clock().getTime() - started) / 1000;
  const reasons = [...check.reasons, ...written.reasons].sort((a, b) => b.rows - a.rows);
  return {
    file,
    dryRun,
    layout: plan.layout,
    kind: plan.kind,
    label: plan.label,
    source: plan.source,
    chosenBy: plan.chosenBy,
    detection: plan.candidates.slice(0, 3).map((c) => c.explanation),
    delimiter: format.delimiter === '\t' ? 'tab' : format.delimiter,
    delimiterReason: format.delimiterReason,
    encoding: `${format.encoding}${format.bom ? ' with BOM' : ''}`,
    dateFormat: plan.dateFormat,
    columns: plan.columns.map(({ header: h, field }) => ({ header: h, field })),
    ignored: plan.ignored.map(({ header: h, why }) => ({ header: h, why })),
    warnings,
    rows: {
      total: check.rows,
      mapped: check.rows - check.skipped,
      skipped: check.skipped,
      rejected: written.rejectedRows,
    },
    reasons,
    records: written.records,
    rejectsFile: rejects && rejects.count() > 0 ? rejectsPath : undefined,
    seconds,
    rowsPerSecond: seconds > 0 ? Math.round(check.rows / seconds) : undefined,
  };
}

async function sizeOf(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new AppError('VALIDATION_FAILED', { message: `${file} is not a file.` });
    return info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('NOT_FOUND', { message: `${file} does not exist or cannot be read.`, cause: error });
  }
}

function cannotImport(file: string, errors: FileError[], total: number): AppError {
  const lines = errors.slice(0, shownErrors).map((error) => `  ${formatImportError(error)}`);
  if (total > lines.length) lines.push(`  … and ${total - lines.length} more`);
  return new AppError('VALIDATION_FAILED', {
    message: [`${file} cannot be imported; nothing was imported:`, ...lines].join('\n'),
    details: { file, errors: errors.slice(0, 100), total },
  });
}

async function readHeader(file: string, format: CsvFormat): Promise<string[]> {
  const problems: CsvProblem[] = [];
  for await (const record of readCsvRecords(file, format, { onProblem: (p) => problems.push(p) })) {
    if (record.line !== 1) {
      throw cannotImport(
        file,
        [{ row: record.line, code: 'empty-file', message: 'the file starts with blank lines' }],
        1,
      );
    }
    return record.values;
  }
  const [problem] = problems;
  throw cannotImport(
    file,
    [
      problem
        ? { row: problem.line, code: problem.code, message: problem.message }
        : { row: 1, code: 'empty-file', message: 'the file is empty' },
    ],
    1,
  );
}

/** The plan's reference files (maven-crm's accounts.csv), read from the folder of the file. */
async function readReferences(
  plan: ImportPlan,
  file: string,
  warnings: string[],
): Promise<Record<string, ReferenceTable>> {
  const tables: Record<string, ReferenceTable> = {};
  for (const reference of plan.references) {
    const path = join(dirname(file), reference.fileName);
    if (!existsSync(path)) {
      warnings.push(
        `${reference.fileName} is not beside ${basename(file)}: imported without ${reference.description}`,
      );
      continue;
    }
    const format = await detectCsvFormat(path);
    const problems: CsvProblem[] = [];
    const rows: string[][] = [];
    for await (const record of readCsvRecords(path, format, { onProblem: (p) => problems.push(p) }))
      rows.push(record.values);
    if (problems.length > 0) {
      throw cannotImport(
        path,
        problems.map((p) => ({ row: p.line, code: p.code, message: p.message })),
        problems.length,
      );
    }
    const [header = [], ...data] = rows;
    tables[reference.name] = { header, rows: data };
  }
  return tables;
}

type Reasons = Map<string, { rows: number; example: string }>;

function countReason(reasons: Reasons, code: string, example: string) {
  const known = reasons.get(code);
  if (known) known.rows++;
  else reasons.set(code, { rows: 1, example });
}

function listReasons(reasons: Reasons): ImportCsvResult['reasons'] {
  return [...reasons].map(([code, { rows, example }]) => ({ code, rows, example }));
}

/** A mapped row, with the rows and bytes read up to it (for progress). */
type MappedRow = { records: MappedRecords; line: number; values: string[]; rows: number; bytes: number };

type CheckResult = {
  rows: number;
  bytes: number;
  skipped: number;
  problems: CsvProblem[];
  mapper: RowMapper;
  reasons: ImportCsvResult['reasons'];
  /** The mapped rows, in file order, unless the file is larger than `keptBytesLimit`. */
  kept: MappedRow[] | undefined;
};

/** The check pass: every row mapped, skipped rows written to the rejects file, nothing stored. */
async function checkRows(
  file: string,
  format: CsvFormat,
  plan: ImportPlan,
  references: Record<string, ReferenceTable>,
  rejects: CsvWriter | undefined,
  progress: (phase: ImportProgress['phase'], rows: number, bytes: number) => void,
): Promise<CheckResult> {
  const mapper = createRowMapper(plan, { references, sha256Hex });
  const problems: CsvProblem[] = [];
  const reasons: Reasons = new Map();
  let rows = 0;
  let skipped = 0;
  let bytes = 0;
  let kept: MappedRow[] | undefined = [];
  const records = readCsvRecords(file, format, {
    onProblem: (problem) => problems.push(problem),
    onBytes: (read) => {
      bytes = read;
    },
  });
  for await (const record of records) {
    if (record.line === 1) continue;
    rows++;
    if (rows % progressEvery === 0) progress('checking', rows, bytes);
    if (problems.length > 0) continue;
    const result = mapper.mapRow(record.values, record.line);
    if (result.ok) {
      if (kept && bytes > keptBytesLimit) kept = undefined;
      kept?.push({ records: result.records, line: record.line, values: record.values, rows, bytes });
      continue;
    }
    skipped++;
    const { error } = result;
    countReason(reasons, error.code, formatImportError(error));
    await rejects?.write([
      String(error.row),
      error.column ?? '',
      error.code,
      error.message,
      ...record.values,
    ]);
  }
  progress('checking', rows, bytes);
  return { rows, bytes, skipped, problems, mapper, reasons: listReasons(reasons), kept };
}

type Batch = {
  rows: number;
  contacts: { record: ContactRecord; line: number; values: string[] }[];
  touches: { record: TouchRecord; line: number; values: string[] }[];
  dealEvents: { record: DealEventRecord; line: number; values: string[] }[];
  messages: { record: SegmentMessage; line: number; values: string[] }[];
};

const emptyBatch = (): Batch => ({ rows: 0, contacts: [], touches: [], dealEvents: [], messages: [] });

async function writeRows(
  options: ImportCsvOptions,
  deps: ImportDeps,
  context: {
    file: string;
    format: CsvFormat;
    plan: ImportPlan;
    references: Record<string, ReferenceTable>;
    rejects: CsvWriter | undefined;
    progress: (phase: ImportProgress['phase'], rows: number, bytes: number) => void;
    check: CheckResult;
  },
) {
  const { plan, rejects } = context;
  const batchSize = options.batchSize ?? defaultBatchSize;
  const { workspaceId } = options;
  const records: ImportCsvResult['records'] = {};
  const counts = (list: keyof ImportCsvResult['records']): ImportCounts => {
    let found = records[list];
    if (!found) {
      found =
        list === 'contacts'
          ? { created: 0, updated: 0, duplicates: 0, rejected: 0 }
          : { created: 0, duplicates: 0, rejected: 0 };
      records[list] = found;
    }
    return found;
  };
  for (const list of plan.produces) counts(list === 'messages' ? 'activities' : list);

  const reasons: Reasons = new Map();
  const rejectedRows = new Set<number>();
  const rejectedRowCodes = new Set<string>();
  const reject = async (item: { line: number; values: string[] }, code: string, message: string) => {
    const key = `${item.line}:${code}`;
    if (!rejectedRowCodes.has(key)) {
      rejectedRowCodes.add(key);
      countReason(reasons, code, formatImportError({ row: item.line, message }));
      await rejects?.write([String(item.line), '', code, message, ...item.values]);
    }
    rejectedRows.add(item.line);
  };

  const flush = async (batch: Batch) => {
    if (batch.contacts.length + batch.touches.length + batch.dealEvents.length > 0) {
      const outcome = await storeFacts(workspaceId, batch, deps);
      if (outcome.contacts) {
        const total = counts('contacts');
        total.created += outcome.contacts.created;
        total.updated = (total.updated ?? 0) + outcome.contacts.updated;
        total.duplicates += outcome.contacts.duplicates;
        total.rejected += outcome.contacts.rejected.length;
        for (const r of outcome.contacts.rejected)
          await rejectItem(batch.contacts, r.index, r.code, r.message);
      }
      if (outcome.touches) {
        const { created, duplicates, rejected } = outcome.touches;
        add(counts('touches'), created, duplicates, rejected.length);
        for (const r of rejected) await rejectItem(batch.touches, r.index, r.code, r.message);
      }
      if (outcome.dealEvents) {
        const { created, duplicates, rejected } = outcome.dealEvents;
        add(counts('dealEvents'), created, duplicates, rejected.length);
        for (const r of rejected) await rejectItem(batch.dealEvents, r.index, r.code, r.message);
      }
    }
    if (batch.messages.length > 0) {
      const outcome = await ingestMessages(
        { workspaceId, messages: batch.messages.map((i) => i.record), receivedAt: deps.clock() },
        deps,
      );
      add(counts('activities'), outcome.accepted, outcome.duplicates, outcome.dropped.length);
      for (const d of outcome.dropped) await rejectItem(batch.messages, d.index, d.reason, d.detail);
    }
  };
  const rejectItem = async (
    items: { line: number; values: string[] }[],
    index: number,
    code: string,
    message: string,
  ) => {
    const item = items[index];
    if (item) await reject(item, code, message);
  };

  let batch = emptyBatch();
  for await (const row of context.check.kept ?? mapAgain(context)) {
    addRow(batch, row.records, row.line, row.values);
    if (batch.rows >= batchSize) {
      await flush(batch);
      batch = emptyBatch();
      context.progress('importing', row.rows, row.bytes);
    }
  }
  await flush(batch);
  context.progress('importing', context.check.rows, context.check.bytes);
  return { records, reasons: listReasons(reasons), rejectedRows: rejectedRows.size };
}

/** The file's mapped rows read and mapped again, for a file too long for the check pass to keep them. */
async function* mapAgain(context: {
  file: string;
  format: CsvFormat;
  plan: ImportPlan;
  references: Record<string, ReferenceTable>;
  check: CheckResult;
}): AsyncGenerator<MappedRow> {
  const mapper = createRowMapper(context.plan, { references: context.references, sha256Hex });
  let rows = 0;
  let bytes = 0;
  const problems: CsvProblem[] = [];
  const source = readCsvRecords(context.file, context.format, {
    onProblem: (problem) => problems.push(problem),
    onBytes: (read) => {
      bytes = read;
    },
  });
  for await (const { line, values } of source) {
    if (line === 1) continue;
    rows++;
    const result = mapper.mapRow(values, line);
    if (result.ok) yield { records: result.records, line, values, rows, bytes };
  }
  if (problems.length > 0 || rows !== context.check.rows) {
    // The file changed between the passes.
    throw new AppError('CONFLICT', {
      message: `${context.file} changed while it was imported; import it again (re-importing is safe).`,
    });
  }
}

/**
 * Stores one chunk's contacts, touches and deal events in ONE transaction holding the workspace's
 * ingestion lock, against the agreement loaded once and the identities of all its records looked
 * up once: contacts through `storeImportedContacts`, then touches and deal events through
 * `storeImportedTouches` and `storeImportedDealEvents`, each set-based and planning its contacts
 * against those identities, which each step keeps up to date. A chunk either commits whole or
 * stores nothing. Records naming a `contactId` (no layout produces them) go through the use cases
 * instead, nested in the same transaction, after which the identities are looked up again.
 */
async function storeFacts(
  workspaceId: string,
  batch: Batch,
  deps: ImportDeps,
): Promise<{
  contacts?: UpsertContactsOutcome;
  touches?: RecordOutcome;
  dealEvents?: RecordOutcome;
}> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    const repos = createRepositories(db);
    const factDeps = { database: { ...deps.database, db }, clock: () => now };
    await repos.ingest.lockWorkspace(workspaceId);
    const { agreement, version } = await loadAgreement(repos, workspaceId);
    const call = { repos, workspaceId, agreement, version, now };
    const refs = () =>
      [batch.contacts, batch.touches, batch.dealEvents].flatMap((items) =>
        items.map((item) => item.record.ref),
      );
    let known = await lookUpChunkIdentities(repos, workspaceId, refs());
    const outcome: Awaited<ReturnType<typeof storeFacts>> = {};
    if (batch.contacts.length > 0) {
      const records = batch.contacts.map((item) => item.record);
      outcome.contacts = await storeImportedContacts(records, call, known);
      if (!outcome.contacts) {
        outcome.contacts = await upsertContacts({ workspaceId, records }, factDeps);
        known = await lookUpChunkIdentities(repos, workspaceId, refs());
      }
    }
    if (batch.touches.length > 0) {
      const records = batch.touches.map((item) => item.record);
      outcome.touches = await storeImportedTouches(records, call, known);
      if (!outcome.touches) {
        outcome.touches = await recordTouches({ workspaceId, records }, factDeps);
        known = await lookUpChunkIdentities(repos, workspaceId, refs());
      }
    }
    if (batch.dealEvents.length > 0) {
      const records = batch.dealEvents.map((item) => item.record);
      outcome.dealEvents =
        (await storeImportedDealEvents(records, call, known)) ??
        (await recordDealEvents({ workspaceId, records }, factDeps));
    }
    return outcome;
  });
}

function add(counts: ImportCounts, created: number, duplicates: number, rejected: number) {
  counts.created += created;
  counts.duplicates += duplicates;
  counts.rejected += rejected;
}

function addRow(batch: Batch, records: MappedRecords, line: number, values: string[]) {
  batch.rows++;
  for (const record of records.contacts) batch.contacts.push({ record, line, values });
  for (const record of records.touches) batch.touches.push({ record, line, values });
  for (const record of records.dealEvents) batch.dealEvents.push({ record, line, values });
  for (const record of records.messages) batch.messages.push({ record, line, values });
}

/** node:crypto's SHA-256 for the row mapper's digests (about ten times faster than core's own). */
function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

class RollBack extends Error {}

/**
 * Runs the writes in one transaction and rolls it back: the counts are exactly what the import
 * would do, and nothing stays. The ingestion writer used inside writes through the transaction.
 */
async function rolledBack<T>(deps: ImportDeps, work: (deps: ImportDeps) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await deps.database.db.transaction(async (tx) => {
      const database = { ...deps.database, db: tx as unknown as Db };
      const ingest = createIngestWriter({ database, clock: deps.clock, log: deps.log });
      try {
        result = await work({ ...deps, database, ingest });
      } finally {
        await ingest.close();
      }
      throw new RollBack('dry run');
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return result as T;
}
