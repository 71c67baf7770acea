/**
 * The one error class of the server. `code` is from a short generic list; the specifics go in
 * `details`. The HTTP error handler maps codes to statuses, the CLI maps them to exit codes.
 */
const appErrorCodes = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];

type AppErrorOptions = {
  message?: string;
  details?: unknown;
  cause?: unknown;
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: unknown;

  constructor(code: AppErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? defaultMessages[code], { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

const defaultMessages: Record<AppErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid.',
  UNAUTHORIZED: 'An API key or session is required.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'Not found.',
  CONFLICT: 'The request conflicts with the current state.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  RATE_LIMITED: 'Too many requests.',
  UNAVAILABLE: 'The service is temporarily unavailable.',
  INTERNAL: 'Something went wrong on our side.',
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
