import { type Database, driverOf } from '../../packages/server/src/db/client.ts';

/**
 * Raw SQL for the engine bench's set-based fills and baselines, on either driver: a tagged
 * template whose values become positional parameters, and whose nested fragments are inlined.
 */
export type Fragment = { readonly parts: readonly (string | { value: unknown } | Fragment)[] };

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  const parts: (string | { value: unknown } | Fragment)[] = [];
  strings.forEach((text, index) => {
    parts.push(text);
    if (index < values.length) {
      const value = values[index];
      parts.push(isFragment(value) ? value : { value });
    }
  });
  return { parts };
}

function isFragment(value: unknown): value is Fragment {
  return typeof value === 'object' && value !== null && 'parts' in value && Array.isArray(value.parts);
}

function render(fragment: Fragment, params: unknown[] = []): { text: string; params: unknown[] } {
  let text = '';
  for (const part of fragment.parts) {
    if (typeof part === 'string') text += part;
    else if ('parts' in part) text += render(part, params).text;
    else {
      params.push(part.value);
      text += `$${params.length}`;
    }
  }
  return { text, params };
}

export async function queryRows<T>(database: Database, fragment: Fragment): Promise<T[]> {
  const { text, params } = render(fragment);
  const driver = driverOf(database);
  const result =
    driver.kind === 'pglite'
      ? await driver.client.query<T>(text, params)
      : await driver.pool.query(text, params as unknown[]);
  return result.rows as T[];
}

export async function execute(database: Database, fragment: Fragment): Promise<void> {
  await queryRows(database, fragment);
}
