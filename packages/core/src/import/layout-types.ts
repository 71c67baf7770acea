import type { ContactRecord, DealEventRecord, SegmentMessage, TouchRecord } from '../ingest/records.ts';

/** What the rows of a file are about. */
export const importKinds = ['contacts', 'activities', 'touches', 'deals'] as const;
export type ImportKind = (typeof importKinds)[number];

/** The column layouts the importer knows. */
export const layoutIds = ['hubspot', 'salesforce', 'generic', 'bank-marketing', 'maven-crm'] as const;
export type LayoutId = (typeof layoutIds)[number];

/** How a column's text is read (documentation, and the `--map` reference). */
type FieldType =
  | 'text'
  | 'email'
  | 'date'
  | 'calendar-date'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'money'
  | 'employees'
  | 'domain'
  | 'list';

export type ColumnSpec = {
  /** The field the column fills, e.g. `email`, `createdAt`, `became.mql`. */
  field: string;
  type: FieldType;
  /** The headers it is known by in this layout (labels and internal names), compared after `normalizeHeader`. */
  headers: string[];
  /**
   * Headers typical of this layout and rare in others, compared exactly (case included, so the
   * Salesforce API name `FirstName` tells apart from HubSpot's `firstname`): they weigh more in
   * detection. They are accepted headers too.
   */
  signatures?: string[];
  description: string;
};

/** A family of columns, e.g. `traits.<name>` or generic `became_<stage>_at`. */
export type PatternSpec = {
  /** Matched against the header as written (trimmed); the first group is the name. */
  pattern: RegExp;
  /** The fields are this prefix and the name, e.g. `traits.` → `traits.plan`. */
  fieldPrefix: string;
  /** The example shown in documentation, e.g. `traits.<name>`. */
  example: string;
  type: FieldType | 'inferred';
  description: string;
};

/** A small file read beside the main one and joined to its rows (maven-crm's accounts.csv). */
export type ReferenceSpec = {
  name: string;
  fileName: string;
  /** The column of the reference file rows are looked up by. */
  key: string;
  description: string;
};

export type ReferenceTable = { header: string[]; rows: string[][] };

/** The records one row produced; most rows fill one list. */
export type MappedRecords = {
  contacts: ContactRecord[];
  touches: TouchRecord[];
  dealEvents: DealEventRecord[];
  /** Segment-spec `track`/`page` messages (activities). */
  messages: SegmentMessage[];
};
export type RecordList = keyof MappedRecords;

/** Problems that skip one row: it goes to the rejects file, the others are imported. */
export const rowErrorCodes = [
  'missing-identity',
  'missing-value',
  'invalid-date',
  'invalid-number',
  'invalid-boolean',
  'invalid-email',
  'invalid-value',
  'empty-row',
] as const;
export type RowErrorCode = (typeof rowErrorCodes)[number];

/** Problems that make the whole file untrustworthy: nothing is imported. */
export const fileErrorCodes = [
  'empty-file',
  'invalid-encoding',
  'wrong-column-count',
  'unclosed-quote',
  'malformed-csv',
  'unknown-layout',
  'ambiguous-layout',
  'unsupported-kind',
  'missing-column',
  'invalid-map',
  'ambiguous-date-order',
  'mixed-date-order',
] as const;
export type FileErrorCode = (typeof fileErrorCodes)[number];

/**
 * One problem, located: `row` is the 1-based line of the file where the row starts, the header
 * being line 1; `column` is the header of the offending column.
 */
type ImportError<Code extends string = RowErrorCode | FileErrorCode> = {
  row: number;
  column?: string;
  code: Code;
  message: string;
};
export type RowError = ImportError<RowErrorCode>;

/** `row 7, column "Close Date": "31/02/2024" is not a date…` */
export function formatImportError(error: { row: number; column?: string; message: string }): string {
  return `row ${error.row}${error.column === undefined ? '' : `, column "${error.column}"`}: ${error.message}`;
}
export type FileError = ImportError<FileErrorCode>;

/** Typed access to one row's cells by field; a cell that cannot be read is recorded as a row error. */
export type RowReader = {
  /** The file line the row starts on. */
  line: number;
  /** Whether a column is mapped to the field (whatever this row holds). */
  has(field: string): boolean;
  /** The header of the column mapped to the field, for messages. */
  header(field: string): string | undefined;
  /** Every cell of the row as read, in file order (for content digests). */
  values(): readonly string[];
  /** Trimmed text; undefined when blank or unmapped. */
  text(field: string): string | undefined;
  /** Like `text`, but a blank or unmapped cell is a `missing-value` error. */
  required(field: string): string | undefined;
  date(field: string): Date | undefined;
  /** Like `date`, but a blank or unmapped cell is a `missing-value` error. */
  requiredDate(field: string): Date | undefined;
  /** `YYYY-MM-DD` (the UTC day of a date-time). */
  calendarDate(field: string): string | undefined;
  number(field: string): number | undefined;
  integer(field: string): number | undefined;
  boolean(field: string): boolean | undefined;
  money(field: string): { amount: string; currency?: string } | undefined;
  email(field: string): string | undefined;
  /** The fields mapped under a prefix, e.g. `traits.` → [['plan', 'pro'], …], blank cells left out. */
  prefixed(prefix: string): [name: string, text: string][];
  /** Records a row error; the row will be skipped. */
  fail(code: RowErrorCode, message: string, field?: string): void;
  /** Whether an error was recorded. */
  failed(): boolean;
};

export type BuildContext = {
  /** The system name: prefix of CRM ids (`hubspot:51`) and the records' `source`. */
  source: string;
  /** The rep of touches whose row names none (`--rep`). */
  rep: string | undefined;
  /** A row of a reference file by its key, e.g. the accounts.csv row of `Cancity`. */
  lookup(reference: string, key: string): Record<string, string> | undefined;
  /**
   * How many times this key has been seen in the file so far, this time included (1, 2, …):
   * tells identical rows apart in a source without ids, the same way on every read of the file.
   */
  occurrence(key: string): number;
  /** SHA-256 of a text as lowercase hex: idempotency keys of rows whose source has no id. */
  sha256Hex(text: string): string;
};

export type LayoutKindSpec = {
  layout: LayoutId;
  kind: ImportKind;
  /** E.g. `HubSpot contacts export`. */
  label: string;
  columns: ColumnSpec[];
  patterns?: PatternSpec[];
  /** Headers recognised (they count in detection) but deliberately not imported, and why. */
  ignoredColumns?: { headers: string[]; why: string }[];
  /** Each entry: at least one of `anyOf` must have a column, or the file cannot be imported. */
  required: { anyOf: string[]; why: string }[];
  /** Which record lists its rows fill. */
  produces: RecordList[];
  references?: ReferenceSpec[];
  /** The source name when `--source` is not given. */
  defaultSource: string;
  build(row: RowReader, context: BuildContext): MappedRecords;
};

export function emptyRecords(): MappedRecords {
  return { contacts: [], touches: [], dealEvents: [], messages: [] };
}
