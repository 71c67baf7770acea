import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs, one object per line on stdout. Credentials never reach a log line:
 * the redaction list covers every place a token or password could travel.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'smarketing' },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          'req.headers.cookie',
          'databaseUrl',
          '*.databaseUrl',
          'password',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
