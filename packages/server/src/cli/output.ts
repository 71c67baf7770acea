import { formatAgreementIssue } from '@smarketing/core';
import { AppError } from '../app-error.ts';
import { ConfigError } from '../config/config.ts';

/** Exit codes: 0 done, 1 the work failed (invalid input, not found, storage), 2 the command line was wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export type Output = {
  json: boolean;
  /** A result: JSON on stdout with --json, otherwise the human text. */
  result(value: unknown, text: string): void;
  /** A note for a person; with --json it goes to stderr so stdout stays parseable. */
  note(text: string): void;
};

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    },
    note(text) {
      (json ? process.stderr : process.stdout).write(`${text}\n`);
    },
  };
}

/** Prints a failure in the shape of the API's error body and returns the exit code. */
export function reportFailure(error: unknown, output: Output, source?: string): number {
  const code =
    error instanceof AppError ? error.code : error instanceof ConfigError ? 'VALIDATION_FAILED' : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const details =
    error instanceof AppError
      ? error.details
      : error instanceof ConfigError
        ? { problems: error.problems }
        : undefined;
  if (output.json) {
    process.stdout.write(`${JSON.stringify({ error: { code, message, details } }, null, 2)}\n`);
  } else {
    process.stderr.write(`error: ${message}\n`);
    const issues = (details as { issues?: unknown } | undefined)?.issues;
    if (Array.isArray(issues)) {
      for (const issue of issues) process.stderr.write(`  ${formatAgreementIssue(issue, source)}\n`);
    }
    if (code === 'INTERNAL' && error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`);
  }
  return exitCodes.failed;
}
