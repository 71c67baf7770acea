/**
 * Recognising PostgreSQL errors by SQLSTATE. Drizzle wraps driver errors (`DrizzleQueryError`),
 * so the code is looked up along the `cause` chain; both drivers put the SQLSTATE in `code`.
 */

/** Raised by the append-only trigger on UPDATE, DELETE or TRUNCATE of a fact table. */
export const appendOnlyViolation = 'SM001';
export const uniqueViolation = '23505';
export const checkViolation = '23514';
export const foreignKeyViolation = '23503';

export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** The constraint a violation names (both drivers expose `constraint`). */
export function constraintOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const constraint = (current as Error & { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') return constraint;
    current = current.cause;
  }
  return undefined;
}
