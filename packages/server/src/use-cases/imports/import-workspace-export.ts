import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { createRepositories, type Repositories } from '../../repositories/index.ts';
import { createApiKey } from '../api-keys/create-api-key.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { type ReplayResult, replayEngine } from '../engine/replay-engine.ts';
import {
  type ExportHeader,
  exportFormat,
  exportFormatVersion,
  type FactKind,
  isFactKind,
  isRecordKind,
  type KindCounts,
  KindDigests,
  type RecordKind,
  recordKinds,
  type SectionKind,
  sectionKinds,
} from '../export/export-format.ts';

const flushRecords = 1_000;
const flushChars = 4_000_000;

export type ImportWorkspaceResult = {
  workspaceId: string;
  slug: string;
  /** True when the workspace already held exactly this export: nothing was written. */
  alreadyImported: boolean;
  /** The first admin key of a workspace the import created (shown once). */
  adminToken: string | null;
  counts: KindCounts;
  replay: ReplayResult | null;
};

type Pending = { kind: RecordKind; text: string };

/**
 * Imports a workspace export (use-cases/export/export-format.ts, docs/IMPORT.md) into a new
 * workspace — `slug`, by default the exported one — created by the import, or into an existing
 * one that holds none of the exported kinds. ONE transaction: the header's count and SHA-256 of
 * every kind are checked against the lines read before it commits, so a damaged, truncated or
 * edited file writes nothing. Facts get new `seq` numbers in file order, which is the engine's
 * order of the exported workspace; record ids are kept. Importing the same export again into the
 * workspace it created adds nothing. Then the engine replays the new workspace (unless `replay`
 * is false).
 */
export async function importWorkspaceExport(
  options: { from: Readable; slug?: string | undefined; actor: string; replay?: boolean },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<ImportWorkspaceResult> {
  const lines = createInterface({ input: options.from, crlfDelay: Number.POSITIVE_INFINITY });
  const iterator = lines[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    const header = checkHeader(first.done ? undefined : first.value);
    const slug = options.slug ?? header.workspace.slug;
    const now = deps.clock();
    const result = await deps.database.db.transaction(async (tx) => {
      const repos = createRepositories(tx);
      const target = await openTarget({ header, slug, actor: options.actor, now }, repos);
      const digests = new KindDigests();
      const write = target.alreadyImported
        ? async () => {}
        : (pending: Pending[]) => writeRecords(target.workspaceId, pending, repos);
      await readBody(iterator, digests, write);
      const { counts, sha256 } = digests.summary();
      for (const kind of recordKinds) {
        if (counts[kind] !== header.counts[kind] || sha256[kind] !== header.sha256[kind]) {
          throw new AppError('VALIDATION_FAILED', {
            message:
              counts[kind] !== header.counts[kind]
                ? `The export's header announces ${header.counts[kind]} ${kind} records and the file holds ${counts[kind]}: it is truncated or was edited. Nothing was imported.`
                : `The ${kind} records do not match the header's SHA-256: the file was edited or damaged. Nothing was imported.`,
            details: { kind, expected: { count: header.counts[kind] }, found: { count: counts[kind] } },
          });
        }
      }
      if (!target.alreadyImported) {
        const stored = await repos.exports.countRecords(target.workspaceId);
        const differing = recordKinds.filter((kind) => stored[kind] !== counts[kind]);
        if (differing.length > 0) {
          throw new AppError('INTERNAL', {
            message: `After importing, the workspace does not hold what the export holds (${differing.join(', ')}); nothing was imported.`,
          });
        }
        await recordAudit(repos, {
          workspaceId: target.workspaceId,
          actor: options.actor,
          action: 'workspace.import',
          detail: {
            from: header.workspace,
            exportedAt: header.exportedAt,
            counts,
          },
          at: now,
        });
      }
      return { ...target, slug, counts };
    });
    const replay =
      options.replay === false || result.alreadyImported || header.agreementVersion === null
        ? null
        : await replayEngine(deps, { workspaceId: result.workspaceId });
    return { ...result, replay };
  } finally {
    lines.close();
  }
}

async function openTarget(
  options: { header: ExportHeader; slug: string; actor: string; now: Date },
  repos: Repositories,
): Promise<{ workspaceId: string; alreadyImported: boolean; adminToken: string | null }> {
  const { header, slug } = options;
  const existing = await repos.workspaces.findBySlug(slug);
  if (!existing) {
    const workspaceId = createUuidV7(options.now);
    await repos.workspaces.create({
      id: workspaceId,
      slug,
      name: header.workspace.name,
      createdAt: new Date(header.workspace.createdAt),
    });
    const key = await createApiKey(
      { workspaceId, name: 'first admin', role: 'admin', createdBy: options.actor },
      { repos, clock: () => options.now },
    );
    return { workspaceId, alreadyImported: false, adminToken: key.token };
  }
  await repos.ingest.lockWorkspace(existing.id);
  const held = await repos.exports.countRecords(existing.id);
  if (recordKinds.every((kind) => held[kind] === header.counts[kind])) {
    return { workspaceId: existing.id, alreadyImported: true, adminToken: null };
  }
  if (recordKinds.some((kind) => held[kind] > 0)) {
    throw new AppError('CONFLICT', {
      message: `The workspace "${slug}" already holds data that is not this export; import into a new workspace (--workspace <new-slug>).`,
      details: { held },
    });
  }
  return { workspaceId: existing.id, alreadyImported: false, adminToken: null };
}

/** Reads every line after the header, checking each, handing them on in batches. */
async function readBody(
  iterator: AsyncIterator<string>,
  digests: KindDigests,
  write: (pending: Pending[]) => Promise<void>,
): Promise<void> {
  let lineNumber = 1;
  let pending: Pending[] = [];
  let chars = 0;
  let lastSection = -1;
  let inFacts = false;
  const flush = async () => {
    if (pending.length === 0) return;
    await write(pending);
    pending = [];
    chars = 0;
  };
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    lineNumber += 1;
    const line = next.value;
    if (line === '') continue;
    const { kind, row } = parseRecordLine(line, lineNumber);
    if (isFactKind(kind)) {
      inFacts = true;
    } else {
      const index = sectionKinds.indexOf(kind);
      if (inFacts || index < lastSection) {
        throw badLine(
          lineNumber,
          `a ${kind} record after ${inFacts ? 'the facts began' : `the ${sectionKinds[lastSection]} records`} (current records come first, in the documented order)`,
        );
      }
      if (index > lastSection) await flush();
      lastSection = index;
    }
    digests.add(kind, line);
    pending.push({ kind, text: row });
    chars += row.length;
    if (pending.length >= flushRecords || chars >= flushChars) await flush();
  }
  await flush();
}

/** The kind and the row's JSON text of a record line, or a VALIDATION_FAILED naming the line. */
function parseRecordLine(line: string, lineNumber: number): { kind: RecordKind; row: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw badLine(lineNumber, 'a line that is not valid JSON');
  }
  if (!isObject(value)) throw badLine(lineNumber, 'a line that is not a JSON object');
  const kind = value.kind;
  if (kind === 'header') throw badLine(lineNumber, 'a second header');
  if (!isRecordKind(kind)) {
    throw badLine(lineNumber, `an unknown kind ${JSON.stringify(kind)} (known: ${recordKinds.join(', ')})`);
  }
  if (!isObject(value.row)) throw badLine(lineNumber, `a ${kind} record without its "row" object`);
  // As written by the export, the row's text is taken as it is: numbers keep every digit.
  const prefix = `{"kind":"${kind}","row":`;
  const row =
    line.startsWith(prefix) && line.endsWith('}') ? line.slice(prefix.length, -1) : JSON.stringify(value.row);
  return { kind, row };
}

/** Stores a batch: current records by kind, facts with new `seq` numbers in file order. */
async function writeRecords(workspaceId: string, pending: Pending[], repos: Repositories): Promise<void> {
  const byKind = new Map<RecordKind, string[]>();
  const facts = pending.filter((record) => isFactKind(record.kind));
  const seqs = await repos.exports.reserveSeqs(facts.length);
  let next = 0;
  for (const record of pending) {
    const own = isFactKind(record.kind)
      ? `"workspace_id":"${workspaceId}","seq":${seqs[next++]}`
      : `"workspace_id":"${workspaceId}"`;
    // Later keys win in jsonb: the row cannot choose its workspace or its place in the order.
    const text = record.text === '{}' ? `{${own}}` : `${record.text.slice(0, -1)},${own}}`;
    const texts = byKind.get(record.kind);
    if (texts) texts.push(text);
    else byKind.set(record.kind, [text]);
  }
  for (const kind of sectionKinds) {
    const texts = byKind.get(kind as SectionKind);
    if (!texts) continue;
    await repos.exports.insertRecords(kind, texts);
    if (kind === 'contact') await repos.exports.eraseLoggedChanges(workspaceId);
  }
  for (const [kind, texts] of byKind) {
    if (isFactKind(kind)) await repos.exports.insertRecords(kind as FactKind, texts);
  }
}

function checkHeader(line: string | undefined): ExportHeader {
  let value: unknown;
  try {
    value = line === undefined ? undefined : JSON.parse(line);
  } catch {}
  if (!isObject(value) || value.kind !== 'header' || value.format !== exportFormat) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Line 1 is not the header of a Smarketing workspace export ({"kind":"header","format":"${exportFormat}",…}).`,
      details: { line: 1 },
    });
  }
  if (value.formatVersion !== exportFormatVersion) {
    throw new AppError('VALIDATION_FAILED', {
      message: `The export has format version ${String(value.formatVersion)}; this Smarketing reads version ${exportFormatVersion}.`,
      details: { line: 1 },
    });
  }
  const { workspace, counts, sha256 } = value;
  const complete =
    isObject(workspace) &&
    typeof workspace.slug === 'string' &&
    typeof workspace.name === 'string' &&
    typeof workspace.createdAt === 'string' &&
    isObject(counts) &&
    isObject(sha256) &&
    recordKinds.every((kind) => Number.isInteger(counts[kind]) && typeof sha256[kind] === 'string');
  if (!complete) {
    throw new AppError('VALIDATION_FAILED', {
      message:
        'Line 1, the export header, lacks its workspace or the count and SHA-256 of every kind; the file is damaged.',
      details: { line: 1 },
    });
  }
  return value as unknown as ExportHeader;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badLine(line: number, what: string): AppError {
  return new AppError('VALIDATION_FAILED', {
    message: `Line ${line} of the export: ${what}. Nothing was imported.`,
    details: { line },
  });
}
