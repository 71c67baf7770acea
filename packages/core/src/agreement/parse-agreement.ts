import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { type Agreement, agreementSchema } from './agreement-schema.ts';
import { checkAgreement } from './check-agreement.ts';
import {
  conditionBranchIndex,
  conditionKinds,
  conditionUnionMessage,
  findConditionKind,
} from './condition.ts';
import {
  type AgreementIssue,
  type AgreementIssueCode,
  type AgreementPath,
  createIssue,
  describeChoices,
  findClosest,
} from './issues.ts';

export type ParseAgreementResult =
  | { ok: true; agreement: Agreement; warnings: AgreementIssue[] }
  | { ok: false; issues: AgreementIssue[] };

type ParsedDocument = ReturnType<typeof parseDocument>;

/**
 * Reads an agreement from YAML text in three passes, each reporting every problem it finds:
 * YAML syntax, then the shape of the document (types, required and unknown keys, formats), then
 * the checks that need the whole agreement (unknown names, duplicate ids, unreachable stages…).
 * A later pass runs only when the earlier ones found no errors. Every issue carries the line and
 * column of the YAML node it is about; a missing key points at the mapping that lacks it.
 */
export function parseAgreement(text: string): ParseAgreementResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionOf = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      ...createIssue('YAML_SYNTAX', [], `invalid YAML: ${error.message}`),
      ...positionOf(error.pos[0]),
    }));
    // One error per line: the errors after the first on a line are the parser losing its way.
    const firstPerLine = sortByPosition(issues).filter(
      (issue, index, sorted) => index === 0 || sorted[index - 1]?.line !== issue.line,
    );
    return { ok: false, issues: firstPerLine };
  }
  const yamlWarnings = document.warnings.map((warning) => ({
    ...createIssue('YAML_WARNING', [], warning.message),
    ...positionOf(warning.pos[0]),
  }));

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [{ ...createIssue('YAML_SYNTAX', [], `invalid YAML: ${message}`), line: 1, column: 1 }],
    };
  }

  const locate = (issue: AgreementIssue, atKey = false): AgreementIssue => {
    return { ...issue, ...positionOf(findOffset(document, issue.path, atKey)) };
  };

  const shaped = agreementSchema.safeParse(value, { error: describeZodIssue });
  if (!shaped.success) {
    const issues = shaped.error.issues.flatMap((issue) => toAgreementIssues(issue, [], value));
    return {
      ok: false,
      issues: sortByPosition(issues.map((issue) => locate(issue, issue.code === 'UNKNOWN_KEY'))),
    };
  }

  const checked = checkAgreement(shaped.data);
  if (checked.errors.length > 0) {
    return { ok: false, issues: sortByPosition(checked.errors.map((issue) => locate(issue))) };
  }
  const warnings = [...yamlWarnings, ...checked.warnings.map((issue) => locate(issue))];
  return { ok: true, agreement: shaped.data, warnings: sortByPosition(warnings) };
}

function toAgreementIssues(issue: z.core.$ZodIssue, base: AgreementPath, root: unknown): AgreementIssue[] {
  const path = [
    ...base,
    ...issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))),
  ];
  switch (issue.code) {
    case 'invalid_union':
      return issue.message === conditionUnionMessage
        ? explainConditionIssue(issue, path, root)
        : [createIssue('INVALID_TYPE', path, issue.message)];
    case 'invalid_type':
      return isMissingKey(root, path)
        ? [
            createIssue(
              'MISSING_KEY',
              path,
              `missing required key "${String(path.at(-1))}"; expected ${expected(issue.expected)}`,
            ),
          ]
        : [createIssue('INVALID_TYPE', path, issue.message)];
    case 'unrecognized_keys': {
      const messages = issue.message.split('\n');
      return issue.keys.map((key, index) =>
        createIssue('UNKNOWN_KEY', [...path, key], messages[index] ?? `unknown key "${key}"`),
      );
    }
    case 'invalid_key':
      return [createIssue('INVALID_VALUE', path, issue.issues[0]?.message ?? issue.message)];
    case 'too_small':
      return [createIssue('TOO_SMALL', path, issue.message)];
    case 'too_big':
      return [createIssue('TOO_BIG', path, issue.message)];
    case 'invalid_format':
      return [createIssue('INVALID_FORMAT', path, issue.message)];
    case 'custom':
      return [createIssue(customCode(issue.params), path, issue.message)];
    default:
      return [createIssue('INVALID_VALUE', path, issue.message)];
  }
}

/**
 * A condition that fits none of the kinds. When one kind key is present the mapping was meant
 * to be that kind, so the problems of that kind alone are reported; otherwise the message says
 * which keys a condition can have.
 */
function explainConditionIssue(
  issue: z.core.$ZodIssueInvalidUnion,
  path: AgreementPath,
  root: unknown,
): AgreementIssue[] {
  const value = valueAt(root, path);
  const kind = findConditionKind(value);
  const branchIssues = kind === undefined ? undefined : issue.errors[conditionBranchIndex(kind)];
  if (branchIssues !== undefined && branchIssues.length > 0) {
    return branchIssues.flatMap((branchIssue) => toAgreementIssues(branchIssue, path, root));
  }
  if (!isRecord(value)) {
    return [createIssue('INVALID_CONDITION', path, `${conditionUnionMessage}; got ${describeValue(value)}`)];
  }
  const keys = Object.keys(value);
  const kinds = keys.filter((key) => (conditionKinds as readonly string[]).includes(key));
  if (kinds.length > 1) {
    return [
      createIssue(
        'INVALID_CONDITION',
        path,
        `a condition has exactly one of ${conditionKinds.join(', ')}, but this one has ${kinds.join(' and ')}; combine them with "all: [...]" or "any: [...]"`,
      ),
    ];
  }
  const hints = keys.flatMap((key) => {
    const closest = findClosest(key, conditionKinds);
    return closest === undefined ? [] : [`"${key}" is not one of them; did you mean "${closest}"?`];
  });
  return [createIssue('INVALID_CONDITION', path, [conditionUnionMessage, ...hints].join('; '))];
}

const issueCodes = new Set<string>([
  'INVALID_CONDITION',
  'INVALID_DURATION',
  'INVALID_TIMEZONE',
  'INVALID_DATE',
  'INVALID_HOURS',
  'INVALID_VALUE',
]);

function customCode(params: Record<string, unknown> | undefined): AgreementIssueCode {
  const code = params?.code;
  return typeof code === 'string' && issueCodes.has(code) ? (code as AgreementIssueCode) : 'INVALID_VALUE';
}

/** Messages for zod's issues that the schema does not word itself; they name what was found. */
const describeZodIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${expected(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys': {
      const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
      return issue.keys.map((key) => `unknown key "${key}"; ${describeChoices(key, known)}`).join('\n');
    }
    case 'invalid_value': {
      const choices = issue.values.map(String);
      return `${describeValue(issue.input)} is not allowed here; ${describeChoices(String(issue.input), choices)}`;
    }
    case 'too_small':
      return describeBound(
        issue.origin,
        'at least',
        'greater than',
        issue.minimum,
        issue.inclusive,
        issue.input,
      );
    case 'too_big':
      return describeBound(issue.origin, 'at most', 'less than', issue.maximum, issue.inclusive, issue.input);
    case 'invalid_format':
      return issue.format === 'email'
        ? `${describeValue(issue.input)} is not an e-mail address`
        : `${describeValue(issue.input)} is not in the expected format (${issue.format})`;
    default:
      return undefined;
  }
};

function describeBound(
  origin: string,
  inclusiveWord: string,
  exclusiveWord: string,
  bound: number | bigint,
  inclusive: boolean | undefined,
  input: unknown,
): string {
  if (origin === 'array' || origin === 'set') {
    return `expected ${inclusiveWord} ${bound} ${bound === 1 ? 'item' : 'items'}, got ${Array.isArray(input) ? input.length : 'none'}`;
  }
  if (origin === 'string') {
    return bound === 1 && inclusiveWord === 'at least'
      ? 'expected non-empty text'
      : `expected text of ${inclusiveWord} ${bound} characters`;
  }
  return `expected a number ${inclusive === false ? exclusiveWord : inclusiveWord} ${bound}, got ${describeValue(input)}`;
}

const expectedNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
  null: 'null',
};

function expected(name: string): string {
  return expectedNames[name] ?? name;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: AgreementPath): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function isMissingKey(root: unknown, path: AgreementPath): boolean {
  const key = path.at(-1);
  const parent = valueAt(root, path.slice(0, -1));
  return typeof key === 'string' && isRecord(parent) && !Object.hasOwn(parent, key);
}

/**
 * The source offset of the node at `path`, or of the deepest node on the way when the path
 * goes further than the document does (a missing key points at the mapping that lacks it).
 * With `atKey`, a mapping entry is located by its key rather than its value.
 */
function findOffset(document: ParsedDocument, path: AgreementPath, atKey: boolean): number {
  let node: unknown = document.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      const isLast = index === path.length - 1;
      next = atKey && isLast ? pair.key : pair.value;
      offset = rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    } else {
      break;
    }
    if (next === undefined || next === null) break;
    node = next;
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? (node as Node).range?.[0] : undefined;
}

function sortByPosition(issues: AgreementIssue[]): AgreementIssue[] {
  return [...issues].sort(
    (a, b) =>
      (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
