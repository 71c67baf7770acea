import type { Agreement } from './agreement-schema.ts';

export type AgreementChange = {
  /** Where the change is, with list items named by id: `stages[mql].entry`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
};

/** Fields compared as a whole: a condition or an activity's match reads best in one piece. */
const wholeFields = new Set(['entry', 'when', 'match']);

/** Fields that name the items of a list, tried in order. */
const itemKeys = ['id', 'period', 'grade'] as const;

/**
 * What changed from one agreement to another. Lists of items with ids (stages, activities,
 * reasons…) are matched by id, so a reordered list shows as one `(order)` change and an edited item
 * as changes under `list[id]`. The order is deterministic: fields in document order; within a
 * list, removed items first, then the order change, then changed and added items in the new order.
 */
export function diffAgreements(before: Agreement, after: Agreement): AgreementChange[] {
  const changes: AgreementChange[] = [];
  compare(before, after, '', changes);
  return changes;
}

function compare(before: unknown, after: unknown, path: string, changes: AgreementChange[]): void {
  if (isEqual(before, after)) return;
  if (before === undefined) {
    changes.push({ path, kind: 'added', after });
    return;
  }
  if (after === undefined) {
    changes.push({ path, kind: 'removed', before });
    return;
  }
  const field = path.split(/[.[]/).at(-1) ?? '';
  if (wholeFields.has(field)) {
    changes.push({ path, kind: 'changed', before, after });
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = findItemKey(before, after);
    if (key !== undefined) {
      compareKeyedLists(before as Item[], after as Item[], key, path, changes);
      return;
    }
    changes.push({ path, kind: 'changed', before, after });
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !Object.hasOwn(before, key))];
    for (const key of keys) compare(before[key], after[key], join(path, key), changes);
    return;
  }
  changes.push({ path, kind: 'changed', before, after });
}

type Item = Record<string, unknown>;

function compareKeyedLists(
  before: Item[],
  after: Item[],
  key: string,
  path: string,
  changes: AgreementChange[],
) {
  const nameOf = (item: Item) => String(item[key]);
  const beforeByName = new Map(before.map((item) => [nameOf(item), item]));
  const afterNames = new Set(after.map(nameOf));
  for (const item of before) {
    if (!afterNames.has(nameOf(item)))
      changes.push({ path: `${path}[${nameOf(item)}]`, kind: 'removed', before: item });
  }
  const keptBefore = before.map(nameOf).filter((name) => afterNames.has(name));
  const keptAfter = after.map(nameOf).filter((name) => beforeByName.has(name));
  if (!isEqual(keptBefore, keptAfter)) {
    changes.push({ path: `${path} (order)`, kind: 'changed', before: keptBefore, after: keptAfter });
  }
  for (const item of after) {
    const name = nameOf(item);
    const previous = beforeByName.get(name);
    if (previous === undefined) changes.push({ path: `${path}[${name}]`, kind: 'added', after: item });
    else compare(previous, item, `${path}[${name}]`, changes);
  }
}

/** The field that names every item of both lists uniquely, if the lists are lists of named items. */
function findItemKey(before: unknown[], after: unknown[]): string | undefined {
  const items = [...before, ...after];
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  return itemKeys.find((key) =>
    [before, after].every((list) => {
      const names = list.map((item) => (item as Item)[key]);
      return names.every((name) => typeof name === 'string') && new Set(names).size === names.length;
    }),
  );
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => isEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => isEqual(a[key], b[key]));
  }
  return false;
}

/**
 * One line per change: `~ quadrants.hot.firstTouchWithin: 24h → 8h`, `+ interest.activities[webinar-attended]`,
 * `- feedback.lostReasons[price]`.
 */
export function formatAgreementDiff(changes: AgreementChange[]): string {
  if (changes.length === 0) return 'no changes';
  return changes
    .map((change) => {
      if (change.kind === 'changed') {
        return `~ ${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
      }
      const sign = change.kind === 'added' ? '+' : '-';
      const value = change.kind === 'added' ? change.after : change.before;
      return isRecord(value) ? `${sign} ${change.path}` : `${sign} ${change.path}: ${formatValue(value)}`;
    })
    .join('\n');
}

/** A value in YAML flow style, as a person would write it in the agreement. */
function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return /^[\w./:@*-][\w ./:@*-]*$/.test(value) && value.trim() === value ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (isRecord(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{ ${entries.map(([key, item]) => `${key}: ${formatValue(item)}`).join(', ')} }`;
  }
  return String(value);
}
