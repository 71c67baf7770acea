import { AppError } from '../app-error.ts';
import {
  checkViolation,
  constraintOf,
  foreignKeyViolation,
  sqlStateOf,
  uniqueViolation,
} from '../db/errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of uuid columns: a lookup by a malformed id finds nothing instead of failing in SQL. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** The one row an INSERT … RETURNING of one row gives back. */
export function single<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('Expected the statement to return a row.');
  return row;
}

/**
 * Runs a write, turning the constraint violations a caller can cause into AppErrors: a duplicate
 * (CONFLICT), a reference to a missing row (NOT_FOUND), a value outside a CHECK (VALIDATION_FAILED).
 * `what` names the row for the message, e.g. 'The touch'.
 */
export async function withConstraintErrors<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const constraint = constraintOf(error);
    switch (sqlStateOf(error)) {
      case uniqueViolation:
        throw new AppError('CONFLICT', {
          message: `${what} already exists.`,
          details: { constraint },
          cause: error,
        });
      case foreignKeyViolation:
        throw new AppError('NOT_FOUND', {
          message: `${what} refers to a row that does not exist.`,
          details: { constraint },
          cause: error,
        });
      case checkViolation:
        throw new AppError('VALIDATION_FAILED', {
          message: `${what} has a value outside the allowed range (${constraint ?? 'check'}).`,
          details: { constraint },
          cause: error,
        });
      default:
        throw error;
    }
  }
}
