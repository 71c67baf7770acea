import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../app-error.ts';
import { readToken } from './auth.ts';

/**
 * The operator's credential (SMARKETING_OPERATOR_TOKEN): a secret of whoever runs the server, not
 * of a workspace. It reads process-wide metrics and takes whole-database backups, which hold every
 * workspace, so no workspace key (not even an admin's) may. Compared as SHA-256 digests in constant
 * time, so neither the length nor a prefix of the secret leaks through timing.
 */
export function isOperatorToken(header: string | undefined, operatorToken: string | undefined): boolean {
  if (!operatorToken) return false;
  const presented = readToken(header);
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(operatorToken));
}

/**
 * Throws unless the request carries the operator token: 401 without a credential or with a wrong
 * one, 403 when this server has no operator token configured.
 */
export function requireOperator(header: string | undefined, operatorToken: string | undefined): void {
  const unauthorized = new AppError('UNAUTHORIZED', {
    message: 'Send the operator token (SMARKETING_OPERATOR_TOKEN) as "Authorization: Bearer <token>".',
  });
  if (!readToken(header)) throw unauthorized;
  if (!operatorToken) {
    throw new AppError('FORBIDDEN', {
      message: 'This server has no operator token: set SMARKETING_OPERATOR_TOKEN to enable it.',
    });
  }
  if (!isOperatorToken(header, operatorToken)) throw unauthorized;
}
