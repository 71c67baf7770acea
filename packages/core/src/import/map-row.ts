import { type DateOrderEvidence, parseDate, toCalendarDate } from './dates.ts';
import { sha256Hex } from './hash.ts';
import type {
  BuildContext,
  MappedRecords,
  ReferenceTable,
  RowError,
  RowErrorCode,
  RowReader,
} from './layout-types.ts';
import { findLayoutSpec } from './layouts/index.ts';
import type { ImportPlan } from './plan-import.ts';
import { parseBoolean, parseEmail, parseInteger, parseMoney, parseNumber } from './values.ts';

export type RowResult = { ok: true; records: MappedRecords } | { ok: false; error: RowError };

export type RowMapper = {
  /** Maps one data row; `line` is the file line it starts on (the header is line 1). */
  mapRow(values: readonly string[], line: number): RowResult;
  /** What the slash dates seen so far say about day/month order (see `decideDateOrder`). */
  dateOrderEvidence(): DateOrderEvidence;
};

export type RowMapperOptions = {
  /** The plan's reference files, by name, when they were found beside the main file. */
  references?: Record<string, ReferenceTable>;
  /**
   * SHA-256 as lowercase hex, e.g. node:crypto's (about ten times faster than core's pure one,
   * which is the default): the server passes it, core cannot import it. Same digests either way.
   */
  sha256Hex?: (text: string) => string;
};

const isBlank = (value: string) => value.trim() === '';

const dateHint = 'expected e.g. 2024-03-05, 2024-03-05 14:30, 03/05/2024, 05.03.2024 or epoch milliseconds';

/**
 * Maps the rows of one file by its plan. Pure; its state (date-order evidence, occurrences of
 * identical rows) is the file's, so a mapper reads one file once, in order.
 */
export function createRowMapper(plan: ImportPlan, options: RowMapperOptions = {}): RowMapper {
  const spec = findLayoutSpec(plan.layout, plan.kind);
  if (!spec) throw new Error(`no layout ${plan.layout}/${plan.kind}`);
  const indexOf = new Map<string, number>();
  const headerOf = new Map<string, string>();
  for (const column of plan.columns) {
    indexOf.set(column.field, column.index);
    headerOf.set(column.field, column.header);
  }
  const prefixedColumns = new Map<string, [string, number][]>();
  const columnsUnder = (prefix: string) => {
    let found = prefixedColumns.get(prefix);
    if (!found) {
      found = plan.columns
        .filter((column) => column.field.startsWith(prefix))
        .map((column): [string, number] => [column.field.slice(prefix.length), column.index]);
      prefixedColumns.set(prefix, found);
    }
    return found;
  };

  const lookups = new Map<string, Map<string, Record<string, string>>>();
  for (const reference of plan.references) {
    const table = options.references?.[reference.name];
    if (!table) continue;
    const keyIndex = table.header.findIndex(
      (text) => text.trim().toLowerCase() === reference.key.toLowerCase(),
    );
    const rows = new Map<string, Record<string, string>>();
    for (const values of table.rows) {
      const key = values[keyIndex]?.trim().toLowerCase();
      if (!key || rows.has(key)) continue;
      rows.set(
        key,
        Object.fromEntries(table.header.map((text, index) => [text.trim(), values[index] ?? ''])),
      );
    }
    lookups.set(reference.name, rows);
  }
  const evidence: DateOrderEvidence = { dayFirst: 0, monthFirst: 0, ambiguous: 0, examples: {} };
  const seen = new Map<string, number>();
  const context: BuildContext = {
    source: plan.source,
    rep: plan.rep,
    lookup: (reference, key) => lookups.get(reference)?.get(key.trim().toLowerCase()),
    occurrence(key) {
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      return count;
    },
    sha256Hex: options.sha256Hex ?? sha256Hex,
  };

  // One reader for the mapper, its row swapped in by `mapRow`: closures made once, not once per
  // row (a file of 41,000 rows made 600,000 of them, each named by the TypeScript loader).
  let values: readonly string[] = [];
  let line = 0;
  let errors: RowError[] = [];
  const fail = (code: RowErrorCode, message: string, field?: string) => {
    const column = field === undefined ? undefined : headerOf.get(field);
    errors.push(column === undefined ? { row: line, code, message } : { row: line, column, code, message });
  };
  const text = (field: string) => {
    const index = indexOf.get(field);
    if (index === undefined) return undefined;
    const value = values[index]?.trim();
    return value === '' ? undefined : value;
  };
  const required = (field: string) => {
    const value = text(field);
    if (value === undefined) {
      fail('missing-value', headerOf.has(field) ? 'the cell is blank' : `no column gives ${field}`, field);
    }
    return value;
  };
  const typed = <T>(
    field: string,
    parse: (value: string) => T | undefined,
    code: RowErrorCode,
    what: string,
  ): T | undefined => {
    const value = text(field);
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) fail(code, `"${value}" is not ${what}`, field);
    return parsed;
  };
  const parseDateNoting = (value: string) => {
    const parsed = parseDate(value, plan.dateFormat);
    const order = parsed?.order;
    if (order) {
      const key = order === 'day-first' ? 'dayFirst' : order === 'month-first' ? 'monthFirst' : 'ambiguous';
      evidence[key]++;
      evidence.examples[key] ??= { row: line, text: value };
    }
    return parsed?.at;
  };
  const date = (field: string) => typed(field, parseDateNoting, 'invalid-date', `a date (${dateHint})`);
  const reader: RowReader = {
    line,
    values: () => values,
    has: (field) => indexOf.has(field),
    header: (field) => headerOf.get(field),
    text,
    required,
    date,
    requiredDate(field) {
      return required(field) === undefined ? undefined : date(field);
    },
    calendarDate(field) {
      const at = date(field);
      return at ? toCalendarDate(at) : undefined;
    },
    number: (field) => typed(field, parseNumber, 'invalid-number', 'a number'),
    integer: (field) => typed(field, parseInteger, 'invalid-number', 'a whole number'),
    boolean: (field) =>
      typed(field, parseBoolean, 'invalid-boolean', 'a yes/no value (true/false, 1/0, yes/no)'),
    money: (field) => typed(field, parseMoney, 'invalid-number', 'an amount'),
    email: (field) => typed(field, parseEmail, 'invalid-email', 'an e-mail address'),
    prefixed(prefix) {
      const found: [string, string][] = [];
      for (const [name, index] of columnsUnder(prefix)) {
        const value = values[index]?.trim();
        if (value) found.push([name, value]);
      }
      return found;
    },
    fail,
    failed: () => errors.length > 0,
  };

  return {
    dateOrderEvidence: () => ({ ...evidence, examples: { ...evidence.examples } }),
    mapRow(rowValues, rowLine) {
      if (rowValues.length !== plan.header.length) {
        throw new Error(`line ${rowLine} has ${rowValues.length} fields, the header ${plan.header.length}`);
      }
      if (rowValues.every(isBlank)) {
        return { ok: false, error: { row: rowLine, code: 'empty-row', message: 'the row is empty' } };
      }
      values = rowValues;
      line = rowLine;
      reader.line = rowLine;
      errors = [];
      const records = spec.build(reader, context);
      const [first] = errors;
      if (first) return { ok: false, error: first };
      return { ok: true, records };
    },
  };
}
