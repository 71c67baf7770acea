import type { ColumnMap } from './column-map.ts';
import type { DateFormat } from './dates.ts';
import type {
  FileError,
  ImportKind,
  LayoutId,
  LayoutKindSpec,
  RecordList,
  ReferenceSpec,
} from './layout-types.ts';
import { layoutSpecs } from './layouts/index.ts';
import { normalizeHeader } from './values.ts';

/**
 * The plan of an import, made from the header row alone: which layout and kind the file is
 * (given, or detected from its headers), which column fills which field, and which columns are
 * left out and why. Every row is then mapped by the same plan (`createRowMapper`).
 */
export type PlannedColumn = { index: number; header: string; field: string };
type IgnoredColumn = { index: number; header: string; why: string };

/** How well one layout and kind fit a header: the detection's explanation. */
export type LayoutCandidate = {
  layout: LayoutId;
  kind: ImportKind;
  label: string;
  /** Known columns + 2 × signature columns. */
  score: number;
  /** Headers the layout knows. */
  recognised: string[];
  /** Headers typical of this layout (exact spelling). */
  signatures: string[];
  /** Required columns that are missing: the candidate is unusable when any is. */
  unmet: string[];
  explanation: string;
};

export type ImportPlan = {
  layout: LayoutId;
  kind: ImportKind;
  label: string;
  source: string;
  /** The rep of touches whose rows name none (bank-marketing's calls, blank rep_id cells). */
  rep: string | undefined;
  dateFormat: DateFormat;
  header: string[];
  columns: PlannedColumn[];
  ignored: IgnoredColumn[];
  produces: RecordList[];
  references: ReferenceSpec[];
  /** How the layout was chosen: named by `--layout`/`--kind` or the map, or detected. */
  chosenBy: 'option' | 'map' | 'detection';
  /** Every candidate layout and kind, best first. */
  candidates: LayoutCandidate[];
  warnings: string[];
};

export type PlanImportInput = {
  header: readonly string[];
  layout?: LayoutId | undefined;
  kind?: ImportKind | undefined;
  map?: ColumnMap | undefined;
  dateFormat?: DateFormat | undefined;
  source?: string | undefined;
  rep?: string | undefined;
};

export type PlanImportResult =
  | { ok: true; plan: ImportPlan }
  | { ok: false; errors: FileError[]; candidates: LayoutCandidate[] };

const headerRow = 1;

export function planImport(input: PlanImportInput): PlanImportResult {
  const header = input.header.map((text) => text.replace(/^\uFEFF/, '').trim());
  if (header.length === 0 || header.every((text) => text === '')) {
    return fail([{ row: headerRow, code: 'empty-file', message: 'the file has no header row' }], []);
  }
  const layout = input.layout ?? input.map?.layout;
  const kind = input.kind ?? input.map?.kind;
  const chosenBy =
    input.layout || input.kind ? 'option' : input.map?.layout || input.map?.kind ? 'map' : 'detection';

  if (layout && kind && !layoutSpecs.some((spec) => spec.layout === layout && spec.kind === kind)) {
    const kinds = layoutSpecs.filter((spec) => spec.layout === layout).map((spec) => spec.kind);
    return fail(
      [
        {
          row: headerRow,
          code: 'unsupported-kind',
          message: `the ${layout} layout reads ${kinds.join(' and ')}, not ${kind}`,
        },
      ],
      [],
    );
  }

  const resolved = layoutSpecs.map((spec) => ({ spec, ...resolveColumns(spec, header, input.map) }));
  const candidates = resolved
    .map(({ spec, columns, unmet, signatures, recognised }) =>
      describeCandidate(spec, columns, unmet, signatures, recognised),
    )
    .sort((a, b) => b.score - a.score);
  const eligible = resolved.filter(
    ({ spec }) => (!layout || spec.layout === layout) && (!kind || spec.kind === kind),
  );

  const mapErrors = eligible.flatMap((entry) => entry.mapErrors);
  if (layout && eligible.length === 1 && mapErrors.length > 0) {
    return fail(
      mapErrors.map((message) => ({ row: headerRow, code: 'invalid-map', message })),
      candidates,
    );
  }

  const usable = eligible
    .filter((entry) => entry.unmet.length === 0 && entry.mapErrors.length === 0)
    // Detection picks a CRM or data-set layout only on evidence: at least one typical header.
    .filter((entry) => layout !== undefined || entry.spec.layout === 'generic' || entry.signatures.length > 0)
    .map((entry) => ({ entry, candidate: candidateOf(candidates, entry.spec) }))
    .sort((a, b) => b.candidate.score - a.candidate.score);

  const [best, second] = usable;
  const [closest] = eligible
    .map((entry) => ({ entry, candidate: candidateOf(candidates, entry.spec) }))
    .sort((a, b) => b.candidate.score - a.candidate.score);
  // A file that looks most like one layout and has most of its required columns, but not all,
  // is that layout broken, not a weaker match of another (touches without dates are not contacts).
  if (
    best &&
    closest &&
    closest.entry.unmet.length > 0 &&
    closest.entry.unmet.length * 2 < closest.entry.spec.required.length &&
    closest.candidate.score > best.candidate.score
  ) {
    return fail(missingColumnErrors(closest.entry.spec, closest.entry.unmet), candidates);
  }
  if (!best) {
    const reference = layout ? undefined : referenceFileHint(header);
    if (reference) {
      return fail([{ row: headerRow, code: 'unknown-layout', message: reference }], candidates);
    }
    if ((layout || closest?.candidate.signatures.length) && closest && closest.entry.unmet.length > 0) {
      return fail(missingColumnErrors(closest.entry.spec, closest.entry.unmet), candidates);
    }
    if (closest && closest.entry.mapErrors.length > 0) {
      return fail(
        closest.entry.mapErrors.map((message) => ({ row: headerRow, code: 'invalid-map' as const, message })),
        candidates,
      );
    }
    return fail(
      [{ row: headerRow, code: 'unknown-layout', message: unknownLayoutMessage(candidates) }],
      candidates,
    );
  }
  if (second && second.candidate.score === best.candidate.score && second.entry.spec !== best.entry.spec) {
    return fail(
      [
        {
          row: headerRow,
          code: 'ambiguous-layout',
          message: `the header fits ${describe(best.entry.spec)} and ${describe(second.entry.spec)} equally (score ${best.candidate.score}); name one with --layout and --kind`,
        },
      ],
      candidates,
    );
  }

  const { spec, columns, ignored, warnings } = best.entry;
  return {
    ok: true,
    plan: {
      layout: spec.layout,
      kind: spec.kind,
      label: spec.label,
      source: input.source ?? input.map?.source ?? spec.defaultSource,
      rep: input.rep,
      dateFormat: input.dateFormat ?? input.map?.dateFormat ?? 'auto',
      header,
      columns,
      ignored,
      produces: spec.produces,
      references: spec.references ?? [],
      chosenBy,
      candidates,
      warnings,
    },
  };
}

function fail(errors: FileError[], candidates: LayoutCandidate[]): PlanImportResult {
  return { ok: false, errors, candidates };
}

/** The required columns a file lacks for the layout its header looks like, one error each. */
function missingColumnErrors(spec: LayoutKindSpec, unmet: readonly string[]): FileError[] {
  return unmet.map((why) => ({
    row: headerRow,
    code: 'missing-column',
    message: `${why} (the header looks like a ${spec.label}, --layout ${spec.layout} --kind ${spec.kind})`,
  }));
}

function describe(spec: LayoutKindSpec): string {
  return `${spec.label} (--layout ${spec.layout} --kind ${spec.kind})`;
}

function candidateOf(candidates: LayoutCandidate[], spec: LayoutKindSpec): LayoutCandidate {
  const found = candidates.find((c) => c.layout === spec.layout && c.kind === spec.kind);
  if (!found) throw new Error(`no candidate for ${spec.layout}/${spec.kind}`);
  return found;
}

function describeCandidate(
  spec: LayoutKindSpec,
  columns: PlannedColumn[],
  unmet: string[],
  signatures: string[],
  recognised: string[],
): LayoutCandidate {
  const score = recognised.length + 2 * signatures.length;
  const shown = signatures.slice(0, 4).map((s) => `"${s}"`);
  if (signatures.length > shown.length) shown.push('…');
  const explanation = [
    `${describe(spec)}: score ${score} = ${recognised.length} known column${recognised.length === 1 ? '' : 's'}`,
    ` + 2 × ${signatures.length} typical of ${spec.layout}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`,
    columns.length === 0 ? '; maps no column' : '',
    unmet.length > 0 ? `; unusable: ${unmet.join('; ')}` : '',
  ].join('');
  return {
    layout: spec.layout,
    kind: spec.kind,
    label: spec.label,
    score,
    recognised,
    signatures,
    unmet,
    explanation,
  };
}

/** A file that is one of a layout's reference files (maven-crm's accounts.csv) is not imported by itself. */
function referenceFileHint(header: string[]): string | undefined {
  const first = normalizeHeader(header[0] ?? '');
  const found = layoutSpecs
    .flatMap((spec) => (spec.references ?? []).map((ref) => ({ spec, ref })))
    .find(({ ref }) => normalizeHeader(ref.key) === first);
  return found
    ? `this looks like ${found.ref.fileName}, which the ${found.spec.layout} layout reads beside its main file (${found.ref.description}); import the main file instead`
    : undefined;
}

function unknownLayoutMessage(candidates: LayoutCandidate[]): string {
  const top = candidates
    .filter((c) => c.score > 0)
    .slice(0, 3)
    .map((c) => c.explanation);
  return [
    'no layout fits this header; name one with --layout and --kind, or map the columns with --map',
    ...(top.length > 0 ? [`closest: ${top.join(' | ')}`] : []),
  ].join('. ');
}

type Resolved = {
  columns: PlannedColumn[];
  ignored: IgnoredColumn[];
  recognised: string[];
  signatures: string[];
  unmet: string[];
  warnings: string[];
  mapErrors: string[];
};

/** Which column fills which field of one layout and kind, the map first. */
function resolveColumns(spec: LayoutKindSpec, header: string[], map: ColumnMap | undefined): Resolved {
  const fieldByHeader = new Map<string, string>();
  const signatureHeaders = new Set<string>();
  for (const column of spec.columns) {
    for (const text of [...column.headers, ...(column.signatures ?? [])]) {
      const key = normalizeHeader(text);
      if (!fieldByHeader.has(key)) fieldByHeader.set(key, column.field);
    }
    for (const text of column.signatures ?? []) signatureHeaders.add(text);
  }
  const ignoredWhy = new Map<string, string>();
  for (const group of spec.ignoredColumns ?? []) {
    for (const text of group.headers) {
      ignoredWhy.set(normalizeHeader(text), group.why);
      signatureHeaders.add(text);
    }
  }
  const mapEntries = new Map<string, string | null>();
  for (const [key, value] of Object.entries(map?.columns ?? {})) mapEntries.set(key.trim(), value);
  const mapByNormalized = new Map<string, string | null>();
  for (const [key, value] of mapEntries) mapByNormalized.set(normalizeHeader(key), value);

  const result: Resolved = {
    columns: [],
    ignored: [],
    recognised: [],
    signatures: [],
    unmet: [],
    warnings: [],
    mapErrors: [],
  };
  const usedBy = new Map<string, string>();
  const usedMapKeys = new Set<string>();

  header.forEach((text, index) => {
    if (text === '') {
      result.ignored.push({ index, header: text, why: 'blank header' });
      return;
    }
    if (signatureHeaders.has(text)) result.signatures.push(text);
    let field: string | undefined;
    const mapped = mapEntries.has(text) ? mapEntries.get(text) : mapByNormalized.get(normalizeHeader(text));
    if (mapped !== undefined) {
      usedMapKeys.add(normalizeHeader(text));
      if (mapped === null || normalizeHeader(mapped) === 'ignore') {
        result.ignored.push({ index, header: text, why: 'left out by the map' });
        return;
      }
      field = resolveTarget(spec, mapped);
      if (!field) {
        result.mapErrors.push(
          `the map sends "${text}" to "${mapped}", which is not a field of the ${spec.label} (see docs/IMPORT.md)`,
        );
        return;
      }
      result.recognised.push(text);
    } else {
      const key = normalizeHeader(text);
      field = fieldByHeader.get(key);
      if (!field) {
        for (const pattern of spec.patterns ?? []) {
          const match = pattern.pattern.exec(text);
          if (match?.[1]) {
            field = `${pattern.fieldPrefix}${match[1]}`;
            break;
          }
        }
      }
      if (!field) {
        const why = ignoredWhy.get(key);
        if (why) result.recognised.push(text);
        result.ignored.push({ index, header: text, why: why ?? `not a field of the ${spec.label}` });
        return;
      }
      result.recognised.push(text);
    }
    const earlier = usedBy.get(field);
    if (earlier !== undefined) {
      result.ignored.push({ index, header: text, why: `"${earlier}" already gives ${field}` });
      result.warnings.push(`columns "${earlier}" and "${text}" both give ${field}; the first is used`);
      return;
    }
    usedBy.set(field, text);
    result.columns.push({ index, header: text, field });
  });

  for (const requirement of spec.required) {
    if (!requirement.anyOf.some((field) => usedBy.has(field))) result.unmet.push(requirement.why);
  }
  for (const key of mapEntries.keys()) {
    if (!usedMapKeys.has(normalizeHeader(key)))
      result.warnings.push(`the map names "${key}", which the file does not have`);
  }
  return result;
}

/** A map target (`first_name`, `firstName`, `First Name`, `traits.plan`) → the field, if the layout has it. */
function resolveTarget(spec: LayoutKindSpec, target: string): string | undefined {
  const trimmed = target.trim();
  for (const pattern of spec.patterns ?? []) {
    if (trimmed.startsWith(pattern.fieldPrefix) && trimmed.length > pattern.fieldPrefix.length)
      return trimmed;
    const match = pattern.pattern.exec(trimmed);
    if (match?.[1]) return `${pattern.fieldPrefix}${match[1]}`;
  }
  const key = normalizeHeader(trimmed);
  const column = spec.columns.find(
    (c) => normalizeHeader(c.field) === key || c.headers.some((h) => normalizeHeader(h) === key),
  );
  return column?.field;
}
