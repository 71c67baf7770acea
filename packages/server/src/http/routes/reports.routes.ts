import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { parseSegment } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { closeSlaPeriod, type SlaSettlement } from '../../use-cases/reports/close-sla-period.ts';
import { getAttributionReport } from '../../use-cases/reports/get-attribution-report.ts';
import { getCloseRatesReport } from '../../use-cases/reports/get-close-rates-report.ts';
import { getFollowThroughReport } from '../../use-cases/reports/get-follow-through-report.ts';
import { getFunnelReport } from '../../use-cases/reports/get-funnel-report.ts';
import { getGoalTreeReport } from '../../use-cases/reports/get-goal-tree-report.ts';
import { getLeadFlowReport } from '../../use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../../use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../../use-cases/reports/get-waterfall-report.ts';
import { listSlaSettlements } from '../../use-cases/reports/list-sla-settlements.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const dateText = z.string().min(7).max(40).openapi({
  description:
    'YYYY-MM, YYYY-MM-DD (local midnight in the agreement time zone) or an ISO timestamp with a zone; `to` is exclusive.',
  example: '2027-03',
});

const periodQuery = z.object({
  from: dateText,
  to: dateText,
  segment: z
    .union([z.string().max(200), z.array(z.string().max(200)).max(20)])
    .optional()
    .openapi({
      description:
        'key=value, repeatable: source, team, rep, country, industry, quadrant, or any trait (e.g. employees=400).',
      example: 'source=webinar',
    }),
});
const bucketedQuery = periodQuery.extend({ unit: z.enum(['month', 'week']).default('month') });

const meta = {
  period: z.object({ from: z.string(), to: z.string(), timezone: z.string(), label: z.string().optional() }),
  filters: z.record(z.string(), z.unknown()),
  agreementVersion: z.number().int(),
  asOf: z.string(),
  definitions: z.record(z.string(), z.string()),
};

const funnelStageSchema = z.object({
  stage: z.string(),
  label: z.string(),
  entered: z.number().int(),
  conversionFromPrevious: z.number().nullable(),
  conversionFromFirst: z.number().nullable(),
  reentries: z.number().int(),
  returning: z.number().int(),
  timeInStage: z.object({
    left: z.number().int(),
    stillIn: z.number().int(),
    medianHours: z.number().nullable(),
    p90Hours: z.number().nullable(),
  }),
});

const funnelSchema = z
  .object({
    report: z.literal('funnel'),
    ...meta,
    anyOrder: z.array(funnelStageSchema),
    strictOrder: z.array(funnelStageSchema),
    detours: z.array(
      z.object({
        detour: z.string(),
        label: z.string(),
        entered: z.number().int(),
        reentries: z.number().int(),
      }),
    ),
  })
  .openapi('FunnelReport');

const leadFlowSchema = z
  .object({
    report: z.literal('lead-flow'),
    ...meta,
    unit: z.enum(['month', 'week']),
    leadStage: z.string(),
    mqlStage: z.string(),
    rows: z.array(z.record(z.string(), z.unknown())),
    total: z.record(z.string(), z.unknown()),
  })
  .openapi('LeadFlowReport');

const waterfallSchema = z
  .object({
    report: z.literal('waterfall'),
    ...meta,
    unit: z.enum(['month', 'week']),
    stages: z.array(z.string()),
    cohorts: z.array(z.record(z.string(), z.unknown())),
    flow: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('WaterfallReport');

const slaSchema = z
  .object({
    report: z.literal('sla'),
    ...meta,
    marketing: z.record(z.string(), z.unknown()),
    sales: z.record(z.string(), z.unknown()),
  })
  .openapi('SlaReport');

const spreadSchema = z.object({ median: z.number().nullable(), p90: z.number().nullable() });
const followThroughFiguresSchema = z.object({
  team: z.string().nullable(),
  rep: z.string().nullable().optional(),
  handed: z.number().int(),
  worked: z.number().int(),
  workedShare: z.number().nullable(),
  timeToFirstTouch: z.object({ slaHours: spreadSchema, wallClockHours: spreadSchema }),
  attempts: z.object({
    measured: z.number().int(),
    average: z.number().nullable(),
    median: z.number().nullable(),
    none: z.number().int(),
  }),
  feedback: z.record(z.string(), z.unknown()),
});

const followThroughSchema = z
  .object({
    report: z.literal('follow-through'),
    ...meta,
    attemptDays: z.number(),
    qualifyingTouches: z.array(z.string()),
    total: followThroughFiguresSchema,
    teams: z.array(followThroughFiguresSchema),
    reps: z.array(followThroughFiguresSchema),
  })
  .openapi('FollowThroughReport');

const closeRateGroupSchema = z.object({
  key: z.string().nullable(),
  leads: z.number().int(),
  customers: z.number().int(),
  closeRate: z.number().nullable(),
});

const closeRatesSchema = z
  .object({
    report: z.literal('close-rates'),
    ...meta,
    leadStage: z.string(),
    customerStage: z.string(),
    closeRates: z.object({
      total: closeRateGroupSchema.omit({ key: true }),
      bySource: z.array(closeRateGroupSchema),
      byCampaign: z.array(closeRateGroupSchema),
      byPersona: z.array(closeRateGroupSchema),
      byQuadrant: z.array(closeRateGroupSchema),
    }),
    deals: z.object({
      currency: z.string(),
      closed: z.number().int(),
      won: z.number().int(),
      lost: z.number().int(),
      winRate: z.number().nullable(),
      wonAmount: z.number(),
      salesCycleDays: spreadSchema,
      openCreated: z.number().int(),
    }),
    velocity: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        moved: z.number().int(),
        skipped: z.number().int(),
        days: spreadSchema,
      }),
    ),
  })
  .openapi('CloseRatesReport');

const modelFiguresSchema = z.record(z.string(), z.number().nullable());
const attributionRowSchema = z.object({
  key: z.string(),
  touchpoints: z.number().int(),
  revenue: modelFiguresSchema,
});
const roiRowSchema = z.object({
  key: z.string(),
  spend: z.number(),
  revenue: modelFiguresSchema,
  returnOnSpend: modelFiguresSchema,
  roi: modelFiguresSchema,
});

const attributionSchema = z
  .object({
    report: z.literal('attribution'),
    ...meta,
    currency: z.string(),
    models: z.array(z.string()),
    halfLifeDays: z.number(),
    total: z.object({ deals: z.number().int(), revenue: z.number(), credited: modelFiguresSchema }),
    excluded: z.object({ otherCurrency: z.number().int(), noAmount: z.number().int() }),
    bySource: z.array(attributionRowSchema),
    byCampaign: z.array(attributionRowSchema),
    roi: z.object({
      byCampaign: z.array(roiRowSchema),
      bySource: z.array(roiRowSchema),
      spendExcluded: z.number().int(),
    }),
  })
  .openapi('AttributionReport');

const goalTreeSchema = z
  .object({
    report: z.literal('goal-tree'),
    ...meta,
    currency: z.string(),
    averageDealSize: z.object({
      amount: z.number().nullable(),
      basis: z.enum(['goal', 'measured']).nullable(),
    }),
    window: z.object({
      from: z.string(),
      to: z.string(),
      months: z.number().int(),
      minimumEntries: z.number().int(),
    }),
    rates: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        rate: z.number().nullable(),
        basis: z.enum(['measured', 'default']),
        entered: z.object({ from: z.number().int(), to: z.number().int() }),
      }),
    ),
    stages: z.array(z.string()),
    months: z.array(z.record(z.string(), z.unknown())),
    total: z.record(z.string(), z.unknown()),
  })
  .openapi('GoalTreeReport');

const settlementSchema = z
  .object({
    period: z.string(),
    from: z.string(),
    to: z.string(),
    agreementVersion: z.number().int(),
    closedAt: z.string(),
    closedBy: z.string(),
    report: z.unknown(),
  })
  .openapi('SlaSettlement');

const errorContent = {
  'application/json': {
    schema: z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) }),
  },
};

function reportRoute<Q extends z.ZodObject, T extends z.ZodType>(
  path: string,
  summary: string,
  query: Q,
  schema: T,
) {
  return createRoute({
    method: 'get',
    path,
    tags: ['reports'],
    summary,
    security: bearerSecurity,
    middleware: [requirePermission('reports:read')] as const,
    request: { query },
    responses: {
      200: {
        description: 'The report, with its period, filters, agreement version and definitions.',
        content: { 'application/json': { schema } },
      },
      ...authErrors,
      ...invalid,
    },
  });
}

const funnelRoute = reportRoute(
  '/api/v1/reports/funnel',
  'Funnel of a period and segment: people entering each stage, conversion, time in stage; any order and strict order.',
  periodQuery,
  funnelSchema,
);
const leadFlowRoute = reportRoute(
  '/api/v1/reports/lead-flow',
  'Leads and MQLs per month or week, change from the row before, and their quality (fit, hot share, points, expected value).',
  bucketedQuery,
  leadFlowSchema,
);
const waterfallRoute = reportRoute(
  '/api/v1/reports/waterfall',
  'Monthly or weekly cohorts of new leads and how far each got by month 0, 1, 2…; stage balance, inflow and outflow per row.',
  bucketedQuery,
  waterfallSchema,
);
const slaRoute = reportRoute(
  '/api/v1/reports/sla',
  "The two-way SLA of a period: marketing's delivered value against target and pace, sales' share worked within the deadline and breaches, by team.",
  z.object({
    period: z
      .string()
      .max(20)
      .optional()
      .openapi({ description: 'The agreement period, e.g. 2027-03; default: the running one.' }),
    from: dateText.optional(),
    to: dateText.optional(),
  }),
  slaSchema,
);

const followThroughRoute = reportRoute(
  '/api/v1/reports/follow-through',
  'Sales follow-through of the hand-overs of a period: share worked, time to first touch, attempts in the first N days, accept/reject/recycle rates and reasons, by team and rep.',
  periodQuery.extend({
    attemptDays: z.coerce
      .number()
      .int()
      .min(1)
      .max(90)
      .optional()
      .openapi({ description: 'Attempts are counted over the first N days of each hand-over (default 7).' }),
  }),
  followThroughSchema,
);
const closeRatesRoute = reportRoute(
  '/api/v1/reports/close-rates',
  "Lead → customer close rate of the period's new leads by source, campaign, persona and quadrant; win rate and sales cycle of deals closed in it; days between stages.",
  periodQuery,
  closeRatesSchema,
);
const attributionRoute = reportRoute(
  '/api/v1/reports/attribution',
  'Revenue of deals won in the period credited to sources and campaigns under first-touch, last-touch, linear, U-shaped, W-shaped and time-decay models; ROI where campaign spend is imported.',
  periodQuery.extend({
    halfLifeDays: z.coerce
      .number()
      .positive()
      .max(365)
      .optional()
      .openapi({ description: 'Half-life of the time-decay model, in days (default 7).' }),
  }),
  attributionSchema,
);
const goalTreeRoute = reportRoute(
  '/api/v1/reports/goal-tree',
  "From the agreement's revenue goal down to the won deals, opportunities, SQLs, MQLs and leads needed per month, through measured conversion rates, and the gap to what the funnel produces.",
  z.object({
    period: z
      .string()
      .max(10)
      .optional()
      .openapi({ description: 'A year, quarter or month: 2027, 2027-Q2, 2027-03 (default: this year).' }),
    segment: periodQuery.shape.segment,
  }),
  goalTreeSchema,
);

const closeRoute = createRoute({
  method: 'post',
  path: '/api/v1/reports/sla/settlements',
  tags: ['reports'],
  summary:
    'Close an SLA period that is over: store its settlement, which never changes. Closing it again answers the stored one.',
  security: bearerSecurity,
  middleware: [requirePermission('reports:close')] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({ period: z.string().min(1).max(20).openapi({ example: '2027-03' }) }).strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The period was closed now.',
      content: { 'application/json': { schema: settlementSchema } },
    },
    200: {
      description: 'The period was already closed: its stored settlement.',
      content: { 'application/json': { schema: settlementSchema } },
    },
    409: { description: 'The period is not over yet.', content: errorContent },
    ...authErrors,
    ...invalid,
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/reports/sla/settlements',
  tags: ['reports'],
  summary: 'The closed SLA periods, oldest first.',
  security: bearerSecurity,
  middleware: [requirePermission('reports:read')] as const,
  responses: {
    200: {
      description: 'The settlements.',
      content: { 'application/json': { schema: z.object({ settlements: z.array(settlementSchema) }) } },
    },
    ...authErrors,
  },
});

function filtersOf(segment: string | string[] | undefined) {
  const parsed = parseSegment(segment === undefined ? [] : Array.isArray(segment) ? segment : [segment]);
  if (!parsed.ok) throw new AppError('VALIDATION_FAILED', { message: parsed.message });
  return parsed.filters;
}

function settlementJson(settlement: SlaSettlement) {
  return {
    ...settlement,
    from: settlement.from.toISOString(),
    to: settlement.to.toISOString(),
    closedAt: settlement.closedAt.toISOString(),
  };
}

export function reportRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(funnelRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getFunnelReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(leadFlowRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getLeadFlowReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(waterfallRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getWaterfallReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(followThroughRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getFollowThroughReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(closeRatesRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getCloseRatesReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(attributionRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getAttributionReport({ workspaceId, ...query, filters: filtersOf(query.segment) }, deps),
        200,
      );
    })
    .openapi(goalTreeRoute, async (c) => {
      const query = c.req.valid('query');
      const { workspaceId } = getPrincipal(c);
      return c.json(
        await getGoalTreeReport(
          {
            workspaceId,
            ...(query.period === undefined ? {} : { period: query.period }),
            filters: filtersOf(query.segment),
          },
          deps,
        ),
        200,
      );
    })
    .openapi(slaRoute, async (c) => {
      const query = c.req.valid('query');
      return c.json(await getSlaReport({ workspaceId: getPrincipal(c).workspaceId, ...query }, deps), 200);
    })
    .openapi(closeRoute, async (c) => {
      const principal = getPrincipal(c);
      const closed = await closeSlaPeriod(
        {
          workspaceId: principal.workspaceId,
          period: c.req.valid('json').period,
          closedBy: describePrincipal(principal),
        },
        deps,
      );
      return closed.created
        ? c.json(settlementJson(closed.settlement), 201)
        : c.json(settlementJson(closed.settlement), 200);
    })
    .openapi(listRoute, async (c) => {
      const settlements = await listSlaSettlements({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json({ settlements: settlements.map(settlementJson) }, 200);
    });
}
