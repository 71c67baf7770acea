export type AgreementIssueCode =
  // the text is not valid YAML
  | 'YAML_SYNTAX'
  | 'YAML_WARNING'
  // the document does not have the agreement's shape
  | 'INVALID_TYPE'
  | 'MISSING_KEY'
  | 'UNKNOWN_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_FORMAT'
  | 'TOO_SMALL'
  | 'TOO_BIG'
  | 'INVALID_CONDITION'
  | 'INVALID_DURATION'
  | 'INVALID_TIMEZONE'
  | 'INVALID_DATE'
  | 'INVALID_HOURS'
  // the parts of the document do not agree with each other
  | 'DUPLICATE_ID'
  | 'UNKNOWN_REFERENCE'
  | 'UNREACHABLE_STAGE'
  | 'OVERLAPPING_GRADES'
  | 'MISSING_FIRST_TOUCH'
  | 'CONDITION_NOT_ALLOWED'
  | 'CIRCULAR_PERSONA'
  | 'EMPTY_REASON_LIST'
  // warnings: the agreement works but probably not as meant
  | 'TEAM_WITHOUT_REPS'
  | 'STAGE_WITHOUT_ENTRY'
  | 'GRADE_GAP'
  | 'UNUSED_FIRST_TOUCH'
  | 'UNUSED_GROUP_CAP'
  | 'ESCALATION_ORDER';

export type AgreementPath = (string | number)[];

export type AgreementIssue = {
  code: AgreementIssueCode;
  path: AgreementPath;
  /** The path as written in messages, e.g. `stages[3].moves[0]`. */
  pathText: string;
  /** 1-based line of the offending YAML node, when the issue came from parsing text. */
  line?: number;
  /** 1-based column of the offending YAML node, when the issue came from parsing text. */
  column?: number;
  /** Says what was wrong and what was expected. */
  message: string;
};

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (plainKey.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export function createIssue(code: AgreementIssueCode, path: AgreementPath, message: string): AgreementIssue {
  return { code, path, pathText: formatPath(path), message };
}

/**
 * Renders one issue as a compiler would: `agreement.yaml:12:5 stages[3].moves[0]: message`.
 * `source` names the file the agreement was read from; it defaults to `agreement.yaml`.
 */
export function formatAgreementIssue(issue: AgreementIssue, source = 'agreement.yaml'): string {
  const position = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
  const where = issue.pathText === '' ? '' : ` ${issue.pathText}`;
  return `${source}${position}${where}: ${issue.message}`;
}

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function findClosest(name: string, known: readonly string[]): string | undefined {
  const lowered = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(name.length / 3));
  return bestDistance <= tolerance && bestDistance < name.length ? best : undefined;
}

/** `expected one of a, b, c; did you mean "b"?` — the tail of every "unknown name" message. */
export function describeChoices(name: string, known: readonly string[]): string {
  if (known.length === 0) return 'none are defined';
  const closest = findClosest(name, known);
  const hint = closest === undefined ? '' : `; did you mean "${closest}"?`;
  return `expected one of ${known.join(', ')}${hint}`;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j += 1) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(distance);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
