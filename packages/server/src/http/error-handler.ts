import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type AppErrorCode } from '../app-error.ts';
import type { AppEnv } from './app-env.ts';

const statusByCode: Record<AppErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const codeByStatus = new Map<number, AppErrorCode>(
  Object.entries(statusByCode).map(([code, status]) => [status, code as AppErrorCode]),
);

function statusOf(code: AppErrorCode): ContentfulStatusCode {
  return statusByCode[code];
}

/** Any thrown value as the AppError the client will see; unknown errors become a generic INTERNAL. */
function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    const code = codeByStatus.get(error.status) ?? (error.status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL');
    return new AppError(code, { message: error.message || undefined, cause: error });
  }
  return new AppError('INTERNAL', { cause: error });
}

/** The one place errors become HTTP answers: `{ "error": { "code", "message", "details" } }`. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  const appError = toAppError(error);
  const status = statusOf(appError.code);
  const log = c.get('log');
  if (status >= 500) {
    log?.error({ err: error, requestId: c.get('requestId') }, 'request failed');
  }
  if (appError.code === 'UNAUTHORIZED') c.header('WWW-Authenticate', 'Bearer realm="smarketing"');
  if (appError.code === 'UNAVAILABLE' || appError.code === 'RATE_LIMITED') {
    const retryAfter = (appError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    c.header('Retry-After', String(typeof retryAfter === 'number' ? Math.ceil(retryAfter) : 5));
  }
  return c.json(
    {
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details === undefined ? {} : { details: appError.details }),
      },
    },
    status,
  );
}
