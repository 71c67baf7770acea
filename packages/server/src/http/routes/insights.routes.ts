import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { exportScores } from '../../use-cases/insights/export-scores.ts';
import { getInsights } from '../../use-cases/insights/get-insights.ts';
import { runBacktest } from '../../use-cases/insights/run-backtest.ts';
import { createScoreModelCache } from '../../use-cases/insights/score-model-cache.ts';
import { suggestAgreement } from '../../use-cases/insights/suggest-agreement.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const analysisQuery = z.object({
  horizonDays: z.coerce.number().int().min(1).max(3650).optional().openapi({
    description:
      'A lead counts as a customer when it wins within this many days of entering the funnel (default 180).',
    example: 180,
  }),
  minLeads: z.coerce.number().int().min(1).max(1_000_000).optional().openapi({
    description: 'Fewest leads behind a close-rate row, a model feature or a trigger (default 30).',
    example: 30,
  }),
});

const closeRateSchema = z.object({
  dimension: z.enum(['activity', 'frequency', 'source', 'campaign', 'persona', 'fit-rule', 'trait']),
  key: z.string(),
  label: z.string(),
  leads: z.number().int(),
  customers: z.number().int(),
  closeRate: z.number(),
  low: z.number(),
  high: z.number(),
  lift: z.number().nullable(),
  liftLow: z.number().nullable(),
  liftHigh: z.number().nullable(),
});

const evaluationSchema = z.object({
  leads: z.number().int(),
  customers: z.number().int(),
  auc: z.number().nullable(),
  brier: z.number().nullable(),
  logLoss: z.number().nullable(),
  liftAtTopDecile: z.number().nullable(),
  reliability: z.array(
    z.object({
      from: z.number(),
      to: z.number(),
      leads: z.number().int(),
      meanPredicted: z.number().nullable(),
      observed: z.number().nullable(),
      observedLow: z.number().nullable(),
      observedHigh: z.number().nullable(),
    }),
  ),
});

const insightsSchema = z
  .object({
    agreementVersion: z.number().int(),
    asOf: z.string(),
    horizonDays: z.number(),
    frequencyWindowDays: z.number(),
    method: z.record(z.string(), z.string()),
    population: z.object({
      leads: z.number().int(),
      known: z.number().int(),
      censored: z.number().int(),
      customers: z.number().int(),
      closeRate: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
    }),
    closeRates: z.array(closeRateSchema),
    triggers: z.array(
      closeRateSchema.omit({ dimension: true, liftLow: true, liftHigh: true }).extend({
        lift: z.number(),
        condition: z.unknown(),
        customerShare: z.number(),
        volumeByMonth: z.array(z.object({ month: z.string(), leads: z.number().int() })),
        averagePerMonth: z.number(),
      }),
    ),
    model: z.object({
      features: z.number().int(),
      lambda: z.number(),
      iterations: z.number().int(),
      trainLeads: z.number().int(),
      holdoutLeads: z.number().int(),
      holdoutFrom: z.string().nullable(),
      intercept: z.number(),
      pointsPerLogOdds: z.number(),
      weights: z.array(
        z.object({
          key: z.string(),
          dimension: z.string(),
          label: z.string(),
          condition: z.unknown().optional(),
          weight: z.number(),
          oddsRatio: z.number(),
          points: z.number().int(),
          leads: z.number().int(),
        }),
      ),
      evaluation: z.object({ learned: evaluationSchema, agreement: evaluationSchema }).nullable(),
    }),
  })
  .openapi('Insights');

const insightsRoute = createRoute({
  method: 'get',
  path: '/api/v1/insights',
  tags: ['insights'],
  summary:
    'Closed-loop insights: close rates with Wilson intervals per activity, frequency band, source, campaign, persona, fit rule and trait; triggers; the learned score and its hold-out evaluation.',
  security: bearerSecurity,
  middleware: [requirePermission('insights:read')] as const,
  request: { query: analysisQuery },
  responses: {
    200: {
      description: 'The analysis as of now.',
      content: { 'application/json': { schema: insightsSchema } },
    },
    ...authErrors,
    ...invalid,
    ...notFound,
  },
});

const suggestionRoute = createRoute({
  method: 'post',
  path: '/api/v1/insights/suggestions',
  tags: ['insights'],
  summary: 'A candidate agreement with the learned points and triggers (YAML and its diff); applies nothing.',
  security: bearerSecurity,
  middleware: [requirePermission('backtest:run')] as const,
  request: { query: analysisQuery },
  responses: {
    200: {
      description: 'The candidate, its changes against the current agreement and what it expects.',
      content: {
        'application/json': {
          schema: z
            .object({
              agreementVersion: z.number().int(),
              yaml: z.string(),
              changes: z.array(z.unknown()),
              diff: z.string(),
              claim: z.record(z.string(), z.unknown()),
            })
            .openapi('AgreementSuggestion'),
        },
      },
    },
    ...authErrors,
    ...invalid,
    ...notFound,
  },
});

const backtestMonthSchema = z.object({
  month: z.string(),
  mqls: z.number().int(),
  shareHot: z.number().nullable(),
  expectedCloseRate: z.number().nullable(),
  decided: z.number().int(),
  customers: z.number().int(),
  actualCloseRate: z.number().nullable(),
  actualLow: z.number().nullable(),
  actualHigh: z.number().nullable(),
  points: z.number(),
});

const backtestSideSchema = z.object({
  months: z.array(backtestMonthSchema),
  totals: backtestMonthSchema.omit({ month: true }),
  hot: z.object({
    mqls: z.number().int(),
    decided: z.number().int(),
    customers: z.number().int(),
    closeRate: z.number().nullable(),
  }),
  reps: z.array(
    z.object({
      repId: z.string(),
      teamId: z.string().nullable(),
      meanPerWeek: z.number(),
      maxPerWeek: z.number().int(),
      capacityPerWeek: z.number().nullable(),
      weeksOverCapacity: z.number().int(),
    }),
  ),
  clocks: z.object({
    started: z.number().int(),
    worked: z.number().int(),
    breached: z.number().int(),
    workedShare: z.number().nullable(),
  }),
  sla: z.object({
    period: z.enum(['week', 'month', 'quarter']),
    measure: z.enum(['points', 'expected-value']),
    target: z.number(),
    impliedMonthlyPoints: z.number().nullable(),
    workedWithinDeadline: z.number(),
    impliedWorkedShare: z.number().nullable(),
  }),
});

const backtestRoute = createRoute({
  method: 'post',
  path: '/api/v1/backtests',
  tags: ['insights'],
  summary:
    'Replay the stored history under a candidate agreement beside the current one, in memory (nothing is written), and compare them side by side.',
  security: bearerSecurity,
  middleware: [requirePermission('backtest:run')] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              candidate: z
                .string()
                .min(1)
                .max(512 * 1024)
                .openapi({ description: 'The candidate agreement, YAML.' }),
              months: z.number().int().min(1).max(120).default(6),
              horizonDays: z.number().int().min(1).max(3650).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Both sides, month by month, and the contacts whose quadrant would change.',
      content: {
        'application/json': {
          schema: z
            .object({
              agreementVersion: z.number().int(),
              from: z.string(),
              to: z.string(),
              months: z.array(z.string()),
              horizonDays: z.number(),
              mqlStage: z.string(),
              facts: z.number().int(),
              contacts: z.number().int(),
              current: backtestSideSchema,
              candidate: backtestSideSchema,
              quadrantChanges: z.object({
                total: z.number().int(),
                byPair: z.array(z.object({ from: z.string(), to: z.string(), contacts: z.number().int() })),
              }),
            })
            .openapi('Backtest'),
        },
      },
    },
    ...authErrors,
    ...invalid,
    ...notFound,
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/api/v1/scores/export',
  tags: ['insights'],
  summary:
    "Every contact's fit, grade, interest, quadrant, learned probability and top reasons, as CSV or a JSON array, streamed.",
  security: bearerSecurity,
  middleware: [requirePermission('insights:read')] as const,
  request: {
    query: z.object({
      format: z.enum(['csv', 'json']).default('csv'),
      horizonDays: analysisQuery.shape.horizonDays,
    }),
  },
  responses: {
    200: {
      description: 'The scores, one contact per line (CSV) or per array item (JSON).',
      content: {
        'text/csv': { schema: z.string() },
        'application/json': { schema: z.array(z.record(z.string(), z.unknown())) },
      },
    },
    ...authErrors,
    ...invalid,
    ...notFound,
  },
});

export function insightsRoutes(deps: Pick<Deps, 'database' | 'repos' | 'clock'>) {
  // The score export's fitted model, kept per workspace until its facts or agreement change.
  const scoreModels = createScoreModelCache();
  return new OpenAPIHono<AppEnv>()
    .openapi(insightsRoute, async (c) => {
      const { workspaceId } = getPrincipal(c);
      return c.json(await getInsights({ workspaceId, ...c.req.valid('query') }, deps), 200);
    })
    .openapi(suggestionRoute, async (c) => {
      const { workspaceId } = getPrincipal(c);
      return c.json(await suggestAgreement({ workspaceId, ...c.req.valid('query') }, deps), 200);
    })
    .openapi(backtestRoute, async (c) => {
      const { workspaceId } = getPrincipal(c);
      const body = c.req.valid('json');
      return c.json(await runBacktest({ workspaceId, ...body }, deps), 200);
    })
    .openapi(exportRoute, async (c) => {
      const { workspaceId } = getPrincipal(c);
      const { format, horizonDays } = c.req.valid('query');
      const lines = exportScores(
        { workspaceId, format, cache: scoreModels, ...(horizonDays === undefined ? {} : { horizonDays }) },
        deps,
      );
      // The first chunk is awaited here, so an error (no agreement) is answered as an error.
      const first = await lines.next();
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          if (!first.done) controller.enqueue(encoder.encode(first.value));
        },
        async pull(controller) {
          const next = await lines.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        },
        async cancel() {
          await lines.return(undefined);
        },
      });
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="scores.${format}"`,
        },
      }) as never;
    });
}
