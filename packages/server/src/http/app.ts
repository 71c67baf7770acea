import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../app-error.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from './app-env.ts';
import { authenticate } from './auth.ts';
import { handleError } from './error-handler.ts';
import { createRequestMetrics } from './metrics.ts';
import { createRateLimits, type RateLimits } from './rate-limit.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import { agreementRoutes } from './routes/agreements.routes.ts';
import { announcementRoutes } from './routes/announcements.routes.ts';
import { apiKeyRoutes } from './routes/api-keys.routes.ts';
import { auditRoutes } from './routes/audit.routes.ts';
import { briefRoutes } from './routes/brief.routes.ts';
import { campaignSpendRoutes } from './routes/campaign-spend.routes.ts';
import { clogRoutes } from './routes/clogs.routes.ts';
import { contactRoutes } from './routes/contacts.routes.ts';
import { engineRoutes } from './routes/engine.routes.ts';
import { eraseRoutes } from './routes/erase.routes.ts';
import { factRoutes } from './routes/facts.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { ingestRoutes } from './routes/ingest.routes.ts';
import { insightsRoutes } from './routes/insights.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { personaRoutes } from './routes/personas.routes.ts';
import { queueRoutes } from './routes/queue.routes.ts';
import { reportRoutes } from './routes/reports.routes.ts';
import { segmentRoutes } from './routes/segment.routes.ts';
import { sessionRoutes, signInRoutes } from './routes/sessions.routes.ts';
import { timelineRoutes } from './routes/timeline.routes.ts';
import { userRoutes } from './routes/users.routes.ts';
import { webhookRoutes } from './routes/webhooks.routes.ts';
import { workspaceRoutes } from './routes/workspace.routes.ts';

export type AppOptions = {
  version: string;
  maxBodyBytes: number;
  /** Folder of the built dashboard; served at / when it exists. */
  webDistDir?: string;
  /** SMARKETING_WEBHOOK_ALLOW_PRIVATE: webhooks may point at loopback and private addresses. */
  webhookAllowPrivate?: boolean;
  /** Requests per minute per API key (SMARKETING_RATE_LIMIT_*); omitted: no limits (tests, benchmarks). */
  rateLimits?: RateLimits;
  /** SMARKETING_OPERATOR_TOKEN: reads process-wide /metrics and takes backups; unset: both refused. */
  operatorToken?: string | undefined;
  /** SMARKETING_CORS_ORIGINS: origins allowed to call the API across origins; empty: none. */
  corsOrigins?: string[];
};

export type HttpApp = {
  app: OpenAPIHono<AppEnv>;
  /** Stops new work (readiness turns 503) and resolves once in-flight requests have finished. */
  drain(timeoutMs: number): Promise<{ drained: boolean; inFlight: number }>;
};

const defaultWebDistDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));
const requestIdPattern = /^[A-Za-z0-9._-]{1,100}$/;

export function createApp(appDeps: Deps, options: AppOptions): HttpApp {
  const requestMetrics = createRequestMetrics();
  const deps: Deps = { ...appDeps, ingest: requestMetrics.countIngest(appDeps.ingest) };
  let inFlight = 0;
  let draining = false;
  const idleWaiters = new Set<() => void>();

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError('VALIDATION_FAILED', {
          message: result.error.issues
            .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
            .join('; '),
          details: {
            target: result.target,
            issues: result.error.issues.map((issue) => ({
              path: issue.path.map(String),
              code: issue.code,
              message: issue.message,
            })),
          },
        });
      }
    },
  });

  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && requestIdPattern.test(incoming) ? incoming : randomUUID();
    const log = deps.log.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.set('principal', undefined);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
      if (inFlight === 0) for (const wake of idleWaiters) wake();
      log.info(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          keyPrefix: c.get('principal')?.keyPrefix,
        },
        'request',
      );
    }
  });
  app.use('*', requestMetrics.middleware);
  // The dashboard's bundle is same-origin scripts and styles; echarts writes inline style attributes.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  // Cross-origin calls only from configured origins, with an API key, never with the cookie.
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    const allowed = cors({
      origin: options.corsOrigins,
      allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      credentials: false,
      maxAge: 600,
    });
    app.use('/api/*', allowed);
    app.use('/v1/*', allowed);
  }
  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', {
        message: `The request body is larger than ${options.maxBodyBytes} bytes.`,
        details: { maxBytes: options.maxBodyBytes },
      });
    },
  });
  // The tracking routes enforce the Segment limits themselves (after decompression).
  app.use('*', (c, next) => (c.req.path.startsWith('/v1/') ? next() : limitBody(c, next)));

  app.route('/', healthRoutes(deps, { version: options.version, isDraining: () => draining }));
  const rateLimits = createRateLimits(deps, options.rateLimits);
  app.use('/v1/*', rateLimits.ingest);
  app.route('/', segmentRoutes(deps));
  // Sign-in is public: its guesses are limited per client address, on the API budget.
  app.on('POST', '/api/v1/session', rateLimits.api);
  // Signing in is the one public /api route.
  app.route('/', signInRoutes(deps));
  app.use('/api/*', authenticate(deps));
  app.use('/api/*', rateLimits.api);
  app.route(
    '/',
    metricsRoutes(deps, { startedAt: deps.clock(), requestMetrics, operatorToken: options.operatorToken }),
  );
  app.route('/', adminRoutes(deps, { operatorToken: options.operatorToken, version: options.version }));
  app.route('/', ingestRoutes(deps));
  app.route('/', workspaceRoutes(deps));
  app.route('/', agreementRoutes(deps));
  app.route('/', apiKeyRoutes(deps));
  app.route('/', factRoutes(deps));
  app.route('/', contactRoutes(deps));
  app.route('/', engineRoutes(deps));
  app.route('/', reportRoutes(deps));
  app.route('/', campaignSpendRoutes(deps));
  app.route('/', insightsRoutes(deps));
  app.route('/', sessionRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', queueRoutes(deps));
  app.route('/', timelineRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', eraseRoutes(deps));
  app.route('/', announcementRoutes(deps));
  app.route('/', personaRoutes(deps));
  app.route('/', clogRoutes(deps));
  app.route('/', briefRoutes(deps));
  app.route('/', webhookRoutes(deps, { allowPrivateUrls: options.webhookAllowPrivate ?? false }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'writeKey', {
    type: 'http',
    scheme: 'basic',
    description: 'Segment style: the API key (an ingest key) as the user name, no password.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer smk_…`.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Smarketing API',
      version: options.version,
      description: 'One language and one set of numbers for sales and marketing.',
    },
  });

  const webDistDir = options.webDistDir ?? defaultWebDistDir;
  if (existsSync(webDistDir)) {
    const root = relative(process.cwd(), webDistDir) || '.';
    app.use('/*', serveStatic({ root }));
    app.get('/*', serveStatic({ root, path: 'index.html' }));
  }

  app.notFound((c) =>
    handleError(new AppError('NOT_FOUND', { message: `No route for ${c.req.method} ${c.req.path}.` }), c),
  );
  app.onError(handleError);

  return {
    app,
    drain(timeoutMs) {
      draining = true;
      if (inFlight === 0) return Promise.resolve({ drained: true, inFlight: 0 });
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          idleWaiters.delete(wake);
          resolve({ drained: false, inFlight });
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve({ drained: true, inFlight: 0 });
        };
        idleWaiters.add(wake);
      });
    },
  };
}
