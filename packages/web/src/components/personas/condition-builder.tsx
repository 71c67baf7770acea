import type { Condition, TraitValue } from '../../api/agreement-types.ts';

const operators = [
  ['equals', 'is'],
  ['in', 'is one of'],
  ['notIn', 'is none of'],
  ['contains', 'contains'],
  ['gte', 'is at least'],
  ['lte', 'is at most'],
  ['between', 'is between'],
  ['exists', 'is known'],
] as const;
type Operator = (typeof operators)[number][0];

export type TraitRow = { trait: string; operator: Operator; value: string };
export type ConditionDraft =
  | { mode: 'rows'; combinator: 'all' | 'any'; rows: TraitRow[] }
  | { mode: 'json'; text: string };

const commonTraits = [
  'title',
  'seniority',
  'department',
  'industry',
  'employees',
  'country',
  'buyingRole',
  'emailType',
];

function showValue(value: TraitValue): string {
  return String(value);
}

function rowOf(condition: Condition): TraitRow | undefined {
  if (!('trait' in condition)) return undefined;
  const { trait, ...rest } = condition;
  const used = Object.keys(rest);
  if (used.length === 2 && rest.gte !== undefined && rest.lte !== undefined)
    return { trait, operator: 'between', value: `${rest.gte}, ${rest.lte}` };
  if (used.length !== 1) return undefined;
  if (rest.equals !== undefined) return { trait, operator: 'equals', value: showValue(rest.equals) };
  if (rest.in !== undefined) return { trait, operator: 'in', value: rest.in.map(showValue).join(', ') };
  if (rest.notIn !== undefined)
    return { trait, operator: 'notIn', value: rest.notIn.map(showValue).join(', ') };
  if (rest.contains !== undefined) return { trait, operator: 'contains', value: rest.contains };
  if (rest.gte !== undefined) return { trait, operator: 'gte', value: String(rest.gte) };
  if (rest.lte !== undefined) return { trait, operator: 'lte', value: String(rest.lte) };
  if (rest.between !== undefined) return { trait, operator: 'between', value: rest.between.join(', ') };
  if (rest.exists !== undefined) return { trait, operator: 'exists', value: rest.exists ? 'yes' : 'no' };
  return undefined;
}

/** The editable form of a condition: trait rows when it is a flat list of trait tests, JSON otherwise. */
export function draftOf(condition: Condition | undefined): ConditionDraft {
  if (condition === undefined)
    return { mode: 'rows', combinator: 'all', rows: [{ trait: 'title', operator: 'contains', value: '' }] };
  const single = rowOf(condition);
  if (single) return { mode: 'rows', combinator: 'all', rows: [single] };
  const list = 'all' in condition ? condition.all : 'any' in condition ? condition.any : undefined;
  const rows = list?.map(rowOf);
  if (list && rows?.every((row) => row !== undefined))
    return { mode: 'rows', combinator: 'all' in condition ? 'all' : 'any', rows };
  return { mode: 'json', text: JSON.stringify(condition, null, 2) };
}

function parseScalar(text: string): TraitValue {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return trimmed;
}

function parseNumber(text: string, what: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value))
    throw new Error(`${what} needs a number; got “${text}”.`);
  return value;
}

function conditionOf(row: TraitRow, index: number): Condition {
  const where = `Rule ${index + 1}`;
  const trait = row.trait.trim();
  if (!trait) throw new Error(`${where} needs a trait name.`);
  const list = row.value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  switch (row.operator) {
    case 'equals':
      if (!row.value.trim()) throw new Error(`${where} (${trait}) needs a value.`);
      return { trait, equals: parseScalar(row.value) };
    case 'in':
    case 'notIn':
      if (list.length === 0) throw new Error(`${where} (${trait}) needs values separated by commas.`);
      return row.operator === 'in'
        ? { trait, in: list.map(parseScalar) }
        : { trait, notIn: list.map(parseScalar) };
    case 'contains':
      if (!row.value.trim()) throw new Error(`${where} (${trait}) needs the text to look for.`);
      return { trait, contains: row.value.trim() };
    case 'gte':
      return { trait, gte: parseNumber(row.value, `${where} (${trait})`) };
    case 'lte':
      return { trait, lte: parseNumber(row.value, `${where} (${trait})`) };
    case 'between': {
      const [low, high] = list;
      if (list.length !== 2 || low === undefined || high === undefined)
        throw new Error(`${where} (${trait}) needs two numbers, like “50, 999”.`);
      return { trait, between: [parseNumber(low, where), parseNumber(high, where)] };
    }
    case 'exists':
      return { trait, exists: row.value.trim().toLowerCase() !== 'no' };
  }
}

/** The condition a draft stands for, or the reason it is not one yet (said before asking the server). */
export function conditionOfDraft(
  draft: ConditionDraft,
): { ok: true; condition: Condition } | { ok: false; error: string } {
  try {
    if (draft.mode === 'json') {
      const parsed = JSON.parse(draft.text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return {
          ok: false,
          error: 'The condition must be a JSON object, like {"trait": "title", "contains": "revops"}.',
        };
      return { ok: true, condition: parsed as Condition };
    }
    if (draft.rows.length === 0) return { ok: false, error: 'Add at least one rule.' };
    const conditions = draft.rows.map(conditionOf);
    const [first] = conditions;
    if (conditions.length === 1 && first) return { ok: true, condition: first };
    return { ok: true, condition: draft.combinator === 'all' ? { all: conditions } : { any: conditions } };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : (error as Error).message,
    };
  }
}

/** Edits who a persona is: trait rules joined by “all” or “any”, or the raw condition as JSON. */
export function ConditionBuilder({
  draft,
  onChange,
  idPrefix,
}: {
  draft: ConditionDraft;
  onChange(draft: ConditionDraft): void;
  idPrefix: string;
}) {
  if (draft.mode === 'json') {
    return (
      <div className="condition-builder">
        <label className="field">
          <span>Condition (JSON, as in the agreement)</span>
          <textarea
            rows={6}
            className="mono"
            value={draft.text}
            spellCheck={false}
            onChange={(event) => onChange({ mode: 'json', text: event.target.value })}
          />
        </label>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            const parsed = conditionOfDraft(draft);
            const next = parsed.ok ? draftOf(parsed.condition) : undefined;
            if (next?.mode === 'rows') onChange(next);
          }}
        >
          Edit as rules
        </button>
      </div>
    );
  }
  const setRow = (index: number, patch: Partial<TraitRow>) =>
    onChange({ ...draft, rows: draft.rows.map((row, at) => (at === index ? { ...row, ...patch } : row)) });
  return (
    <fieldset className="condition-builder">
      <legend>
        Matches contacts when{' '}
        <select
          aria-label="How the rules combine"
          value={draft.combinator}
          onChange={(event) => onChange({ ...draft, combinator: event.target.value as 'all' | 'any' })}
        >
          <option value="all">all</option>
          <option value="any">any</option>
        </select>{' '}
        of these hold
      </legend>
      <datalist id={`${idPrefix}-traits`}>
        {commonTraits.map((trait) => (
          <option key={trait} value={trait} />
        ))}
      </datalist>
      <ol className="trait-rows">
        {draft.rows.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity
          <li key={index} className="trait-row">
            <input
              aria-label={`Rule ${index + 1}: trait`}
              list={`${idPrefix}-traits`}
              value={row.trait}
              placeholder="trait"
              onChange={(event) => setRow(index, { trait: event.target.value })}
            />
            <select
              aria-label={`Rule ${index + 1}: test`}
              value={row.operator}
              onChange={(event) => setRow(index, { operator: event.target.value as Operator })}
            >
              {operators.map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </select>
            {row.operator === 'exists' ? (
              <select
                aria-label={`Rule ${index + 1}: value`}
                value={row.value === 'no' ? 'no' : 'yes'}
                onChange={(event) => setRow(index, { value: event.target.value })}
              >
                <option value="yes">yes</option>
                <option value="no">no</option>
              </select>
            ) : (
              <input
                aria-label={`Rule ${index + 1}: value`}
                value={row.value}
                placeholder={
                  row.operator === 'in' || row.operator === 'notIn' || row.operator === 'between'
                    ? 'a, b'
                    : 'value'
                }
                onChange={(event) => setRow(index, { value: event.target.value })}
              />
            )}
            <button
              type="button"
              className="button button-quiet"
              aria-label={`Remove rule ${index + 1}`}
              disabled={draft.rows.length === 1}
              onClick={() => onChange({ ...draft, rows: draft.rows.filter((_, at) => at !== index) })}
            >
              ✕
            </button>
          </li>
        ))}
      </ol>
      <div className="trait-actions">
        <button
          type="button"
          className="button button-quiet"
          onClick={() =>
            onChange({ ...draft, rows: [...draft.rows, { trait: '', operator: 'equals', value: '' }] })
          }
        >
          + Add a rule
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            const parsed = conditionOfDraft(draft);
            onChange({ mode: 'json', text: parsed.ok ? JSON.stringify(parsed.condition, null, 2) : '{}' });
          }}
        >
          Edit as JSON
        </button>
      </div>
      <p className="hint">Text comparisons ignore case; separate several values with commas.</p>
    </fieldset>
  );
}
