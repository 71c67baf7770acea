import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, renderConfigDocs } from './config.ts';

describe('loadConfig', () => {
  test('applies the defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      dataDir: './.smarketing/data',
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'info',
    });
  });

  test('reads the rate limits per minute, 0 turning a limit off', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitIngestPerMinute: 60_000, rateLimitApiPerMinute: 600 });
    expect(
      loadConfig({
        SMARKETING_RATE_LIMIT_INGEST_PER_MINUTE: '0',
        SMARKETING_RATE_LIMIT_API_PER_MINUTE: '1200',
      }),
    ).toMatchObject({ rateLimitIngestPerMinute: 0, rateLimitApiPerMinute: 1200 });
  });

  test('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).port).toBe(3000);
  });

  test('names every bad variable at once without echoing values', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://root:hunter2@x/db' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.map((problem) => problem.variable);
      expect(problems).toEqual(['DATABASE_URL', 'PORT', 'LOG_LEVEL']);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  test.each([
    ['PORT', '0'],
    ['PORT', '70000'],
    ['SMARKETING_MAX_BODY_BYTES', '-5'],
    ['SMARKETING_DB_POOL_SIZE', '1000'],
    ['SMARKETING_RATE_LIMIT_API_PER_MINUTE', '-1'],
    ['SMARKETING_RATE_LIMIT_INGEST_PER_MINUTE', '1.5'],
    ['SMARKETING_PGLITE_SHARED_BUFFERS_MB', '8'],
    ['SMARKETING_PGLITE_SHARED_BUFFERS_MB', '4096'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('renderConfigDocs', () => {
  test('lists every variable with its default', () => {
    const docs = renderConfigDocs();
    expect(docs).toContain('| `PORT` | `3000` |');
    expect(docs).toContain('| `DATABASE_URL` | (unset) |');
  });
});
