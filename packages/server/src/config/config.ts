import { z } from 'zod';

/**
 * Every environment variable the server reads, described once. `docs/CONFIG.md` is generated
 * from this list (`npm run docs:config`), and `npm run check` fails when the two disagree.
 */
const port = z.coerce.number().int().min(1).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const requestsPerMinute = z.coerce.number().int().min(0).max(100_000_000);

const configVariables = {
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    description:
      'PostgreSQL connection string. When unset, Smarketing uses the embedded PGlite database in SMARKETING_DATA_DIR.',
    example: 'postgres://smarketing:secret@db.internal:5432/smarketing',
  },
  SMARKETING_DATA_DIR: {
    schema: z.string().min(1).default('./.smarketing/data'),
    description:
      'Folder of the embedded PGlite database (used only when DATABASE_URL is unset). One process at a time may open it.',
    example: '/var/lib/smarketing',
  },
  SMARKETING_PGLITE_SHARED_BUFFERS_MB: {
    schema: z.coerce.number().int().min(16).max(2048).default(128),
    description:
      'Page cache of the embedded PGlite database, in MB (PostgreSQL `shared_buffers`; PGlite’s own default is 128). The process takes about this much memory more at start. A workspace of a million contacts reads several hundred MB of rollups per report: with 1024 its reports ran up to 20 % faster (docs/BENCHMARKS.md).',
    example: '1024',
  },
  HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    description:
      'Interface the HTTP server listens on. Use 0.0.0.0 to accept connections from other machines.',
    example: '0.0.0.0',
  },
  PORT: {
    schema: port.default(3000),
    description: 'TCP port of the HTTP server.',
    example: '8080',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'Least severe level written to the structured (JSON, one object per line) log on stdout.',
    example: 'debug',
  },
  SMARKETING_WORKSPACE_NAME: {
    schema: z.string().min(1).max(200).default('My company'),
    description: 'Name of the workspace created on the first start of an empty database.',
    example: 'Acme Inc.',
  },
  SMARKETING_DEMO: {
    schema: z.enum(['true', 'false', '1', '0', 'yes', 'no']).default('false'),
    description:
      'On the first start of an empty database, also load a simulated demo company (500 contacts over 6 months) into the new workspace.',
    example: 'true',
  },
  SMARKETING_INGEST_ACK: {
    schema: z.enum(['spool', 'commit']).default('commit'),
    description:
      'When the server answers a tracking call: `commit` after the database transaction that stores the events commits (exact duplicate counts, read-your-writes); `spool` after they are appended and fsynced to a local spool that is loaded into the database right behind (+40 % batched throughput on PostgreSQL, none on PGlite; see docs/BENCHMARKS.md).',
    example: 'spool',
  },
  SMARKETING_SPOOL_DIR: {
    schema: z.string().min(1).optional(),
    description:
      'Folder of the ingestion spool (with SMARKETING_INGEST_ACK=spool). Default: `spool` inside SMARKETING_DATA_DIR on PGlite, `./.smarketing/spool` with DATABASE_URL. Each server process needs its own.',
    example: '/var/lib/smarketing/spool',
  },
  SMARKETING_MAX_BODY_BYTES: {
    schema: positiveInt.default(1_048_576),
    description: 'Largest request body the API accepts, in bytes; larger requests get 413 PAYLOAD_TOO_LARGE.',
    example: '524288',
  },
  SMARKETING_SHUTDOWN_TIMEOUT_MS: {
    schema: positiveInt.default(10_000),
    description:
      'On SIGTERM/SIGINT, how long to wait for in-flight requests to finish before closing the database anyway.',
    example: '30000',
  },
  SMARKETING_DB_POOL_SIZE: {
    schema: positiveInt.max(200).default(10),
    description: 'Connections in the PostgreSQL pool (ignored for PGlite).',
    example: '20',
  },
  SMARKETING_WEBHOOK_ALLOW_PRIVATE: {
    schema: z.enum(['true', 'false', '1', '0', 'yes', 'no']).default('false'),
    description:
      'Allow webhook URLs that point at loopback, private or link-local addresses (a receiver on the same machine or network). Off by default, so an API key cannot make the server call internal services.',
    example: 'true',
  },
  SMARKETING_ENGINE_POLL_MS: {
    schema: positiveInt.max(60_000).default(100),
    description:
      'How often the engine looks for stored facts it has not processed (scores, stages, routing, SLA clocks follow each fact within about this long).',
    example: '250',
  },
  SMARKETING_ENGINE_STATE_CACHE: {
    schema: z.coerce.number().int().min(0).max(5_000_000).default(50_000),
    description:
      'How many contact states the engine keeps in memory per workspace between its rounds (about 2 kB each), so a contact active again soon is not read back from the database; 0 keeps none.',
    example: '200000',
  },
  SMARKETING_SCHEDULER_TICK_MS: {
    schema: positiveInt.max(3_600_000).default(15_000),
    description:
      'How often the scheduler checks for due timers (SLA deadlines and warnings, escalations, returns from a detour, quadrant changes by decay); a timer fires at most this late.',
    example: '60000',
  },
  SMARKETING_RATE_LIMIT_INGEST_PER_MINUTE: {
    schema: requestsPerMinute.default(60_000),
    description:
      'Tracking calls (`/v1/*`) each API key may make per minute, in bursts of up to as many; a write key sent only in the body counts per client address. Past it: 429 RATE_LIMITED with Retry-After. Each server process keeps its own budget; 0 turns the limit off.',
    example: '120000',
  },
  SMARKETING_RATE_LIMIT_API_PER_MINUTE: {
    schema: requestsPerMinute.default(600),
    description:
      'JSON API calls (`/api/*`) each API key may make per minute, in bursts of up to as many. Past it: 429 RATE_LIMITED with Retry-After. Each server process keeps its own budget; 0 turns the limit off.',
    example: '1200',
  },
  SMARKETING_OPERATOR_TOKEN: {
    schema: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
    description:
      'Secret of the operator (not of a workspace): `Authorization: Bearer <it>` reads the process-wide `/metrics` and takes a whole-database backup (`POST /admin/v1/backup`, used by `smarketing backup --url`). Unset: both are refused; workspace admins and managers still read their own workspace’s metrics.',
    example: '9b1d2f0e6a4c48f1b7e3d5a2c8f04e6b1a9d3c7e5f2b8a4d6c0e1f3a5b7d9c2e',
  },
  SMARKETING_CORS_ORIGINS: {
    schema: z
      .string()
      .regex(
        /^https?:\/\/[^\s,/]+(,\s*https?:\/\/[^\s,/]+)*$/,
        'must be a comma-separated list of origins like https://app.example.com',
      )
      .optional(),
    description:
      'Origins (scheme://host[:port], comma-separated) whose browser pages may call the API across origins with an API key (never with the session cookie). Unset: no cross-origin access (the dashboard is served from the same origin and needs none).',
    example: 'https://crm.example.com,https://admin.example.com',
  },
} as const;

type Variables = typeof configVariables;
type VariableName = keyof Variables;

export type Config = {
  databaseUrl: string | undefined;
  dataDir: string;
  pgliteSharedBuffersMb: number;
  host: string;
  port: number;
  logLevel: z.infer<Variables['LOG_LEVEL']['schema']>;
  workspaceName: string;
  demo: boolean;
  ingestAck: 'spool' | 'commit';
  spoolDir: string;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
  dbPoolSize: number;
  webhookAllowPrivate: boolean;
  enginePollMs: number;
  engineStateCache: number;
  schedulerTickMs: number;
  rateLimitIngestPerMinute: number;
  rateLimitApiPerMinute: number;
  operatorToken: string | undefined;
  corsOrigins: string[];
};

export type ConfigProblem = { variable: VariableName; message: string };

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once, naming every bad variable (never echoing its value: it may be a secret). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: ConfigProblem[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};

  for (const name of Object.keys(configVariables) as VariableName[]) {
    const raw = env[name];
    const input = raw === '' ? undefined : raw;
    const parsed = configVariables[name].schema.safeParse(input);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const message = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push({ variable: name, message: `${message} (example: ${configVariables[name].example})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    databaseUrl: values.DATABASE_URL as string | undefined,
    dataDir: values.SMARKETING_DATA_DIR as string,
    pgliteSharedBuffersMb: values.SMARKETING_PGLITE_SHARED_BUFFERS_MB as number,
    host: values.HOST as string,
    port: values.PORT as number,
    logLevel: values.LOG_LEVEL as Config['logLevel'],
    workspaceName: values.SMARKETING_WORKSPACE_NAME as string,
    demo: ['true', '1', 'yes'].includes(values.SMARKETING_DEMO as string),
    ingestAck: values.SMARKETING_INGEST_ACK as 'spool' | 'commit',
    spoolDir:
      (values.SMARKETING_SPOOL_DIR as string | undefined) ??
      (values.DATABASE_URL ? './.smarketing/spool' : `${values.SMARKETING_DATA_DIR as string}/spool`),
    maxBodyBytes: values.SMARKETING_MAX_BODY_BYTES as number,
    shutdownTimeoutMs: values.SMARKETING_SHUTDOWN_TIMEOUT_MS as number,
    dbPoolSize: values.SMARKETING_DB_POOL_SIZE as number,
    webhookAllowPrivate: ['true', '1', 'yes'].includes(values.SMARKETING_WEBHOOK_ALLOW_PRIVATE as string),
    enginePollMs: values.SMARKETING_ENGINE_POLL_MS as number,
    engineStateCache: values.SMARKETING_ENGINE_STATE_CACHE as number,
    schedulerTickMs: values.SMARKETING_SCHEDULER_TICK_MS as number,
    rateLimitIngestPerMinute: values.SMARKETING_RATE_LIMIT_INGEST_PER_MINUTE as number,
    rateLimitApiPerMinute: values.SMARKETING_RATE_LIMIT_API_PER_MINUTE as number,
    operatorToken: values.SMARKETING_OPERATOR_TOKEN as string | undefined,
    corsOrigins: ((values.SMARKETING_CORS_ORIGINS as string | undefined) ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  };
}

/** The markdown of docs/CONFIG.md. */
export function renderConfigDocs(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from packages/server/src/config/config.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'Smarketing reads its configuration from environment variables once, at start. A bad value stops the',
    'start with a message naming every variable that is wrong (values are never echoed: they may be secrets).',
    'An empty variable counts as unset.',
    '',
    '| variable | default | description | example |',
    '|---|---|---|---|',
  ];
  for (const [name, variable] of Object.entries(configVariables)) {
    const parsed = variable.schema.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '(unset)';
    lines.push(`| \`${name}\` | ${fallback} | ${variable.description} | \`${variable.example}\` |`);
  }
  return `${lines.join('\n')}\n`;
}
