import { createHash, type Hash } from 'node:crypto';

/**
 * The workspace export: NDJSON (UTF-8, one JSON object per line), every line with a `kind`. The
 * first line is the header; then the workspace's current records, section by section (kinds in
 * `sectionKinds` order, each in primary-key order); then its facts, every kind merged in the order
 * they were stored (`factKinds`, by `seq`), which is the order the engine folds them in. A record
 * is `{"kind":…,"row":…}`, the row as PostgreSQL's `to_jsonb(row)` gives it (snake_case columns) without
 * `workspace_id` and `seq`: the importer supplies both. docs/IMPORT.md documents every kind.
 */
export const exportFormat = 'smarketing-workspace-export';
export const exportFormatVersion = 1;

/** Current records (no `seq`), in file order: parents before the rows that refer to them. */
export const sectionKinds = [
  'agreement-version',
  'account',
  'contact',
  'identity',
  'deal',
  'campaign-spend',
  'announcement',
] as const;

/** Facts in the engine's order (`seq`). */
const factKinds = [
  'contact-change',
  'activity',
  'touch',
  'deal-event',
  'feedback',
  'stage-transition',
  'reassignment',
  'tick',
] as const;

export type SectionKind = (typeof sectionKinds)[number];
export type FactKind = (typeof factKinds)[number];
export type RecordKind = SectionKind | FactKind;
export const recordKinds: readonly RecordKind[] = [...sectionKinds, ...factKinds];

export type KindCounts = Record<RecordKind, number>;

export type ExportHeader = {
  kind: 'header';
  format: typeof exportFormat;
  formatVersion: number;
  workspace: { id: string; slug: string; name: string; createdAt: string };
  /** The latest agreement version at export time (null when none was applied). */
  agreementVersion: number | null;
  exportedAt: string;
  appVersion: string;
  /** Lines of each kind. */
  counts: KindCounts;
  /** SHA-256 (hex) of each kind's lines in file order, each followed by "\n". */
  sha256: Record<RecordKind, string>;
};

export function isRecordKind(value: unknown): value is RecordKind {
  return typeof value === 'string' && (recordKinds as readonly string[]).includes(value);
}

export function isFactKind(kind: RecordKind): kind is FactKind {
  return (factKinds as readonly string[]).includes(kind);
}

/** Counts and hashes the lines of every kind as they are written or read. */
export class KindDigests {
  private readonly hashes = new Map<RecordKind, Hash>();
  private readonly counts = new Map<RecordKind, number>();

  add(kind: RecordKind, line: string): void {
    let hash = this.hashes.get(kind);
    if (!hash) {
      hash = createHash('sha256');
      this.hashes.set(kind, hash);
    }
    hash.update(line);
    hash.update('\n');
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Final: a digest can be read once. */
  summary(): { counts: KindCounts; sha256: Record<RecordKind, string> } {
    const counts = {} as KindCounts;
    const sha256 = {} as Record<RecordKind, string>;
    for (const kind of recordKinds) {
      counts[kind] = this.counts.get(kind) ?? 0;
      sha256[kind] = (this.hashes.get(kind) ?? createHash('sha256')).digest('hex');
    }
    return { counts, sha256 };
  }
}
