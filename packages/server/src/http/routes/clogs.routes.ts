import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { parseSegment } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { getClogReport } from '../../use-cases/reports/get-clog-report.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const dateText = z.string().min(7).max(40).openapi({
  description:
    'YYYY-MM, YYYY-MM-DD (local midnight in the agreement time zone) or an ISO timestamp with a zone; `to` is exclusive.',
  example: '2027-03-01',
});
const listText = z.union([z.string().max(300), z.array(z.string().max(200)).max(20)]);

const clogQuery = z.object({
  from: dateText,
  to: dateText,
  segment: listText.optional().openapi({
    description: 'key=value, repeatable: only these people (as for the other reports).',
    example: 'team=inside-sales',
  }),
  segmentBy: listText.optional().openapi({
    description:
      'Segment keys to break every stage down by (comma-separated or repeated): source, team, rep, persona, quadrant, country, industry, trait.<key>.',
    example: 'source,persona',
  }),
  baselinePeriods: z.coerce.number().int().min(1).max(12).optional().openapi({
    description: 'How many periods of the same length before this one form the baseline (default 3).',
  }),
  horizonDays: z.coerce.number().positive().max(365).optional().openapi({
    description: 'Conversion counts moving on within this many days of the entry (default 14).',
  }),
  minSample: z.coerce.number().int().min(5).max(100_000).optional().openapi({
    description: 'Fewer entries in the period or the baseline: not tested (default 10).',
  }),
  alpha: z.coerce.number().positive().max(0.2).optional().openapi({
    description: 'False discovery rate for Benjamini–Hochberg (default 0.05).',
  }),
});

const sideSchema = z.object({
  entries: z.number().int(),
  converted: z.number().int().optional(),
  rate: z.number().nullable().optional(),
  medianHours: z.number().nullable().optional(),
  stillIn: z.number().int().optional(),
});
const checkShape = {
  stage: z.string(),
  label: z.string(),
  metric: z.enum(['conversion', 'time-in-stage']),
  segment: z.object({ key: z.string(), value: z.string() }).nullable(),
  current: sideSchema,
  baseline: sideSchema,
  test: z.enum(['two-proportion-z', 'fisher-exact', 'mann-whitney-gehan']),
  statistic: z.number().nullable(),
  p: z.number(),
  q: z.number(),
  worse: z.boolean(),
  flagged: z.boolean(),
};

const clogReportSchema = z
  .object({
    report: z.literal('clogs'),
    period: z.object({
      from: z.string(),
      to: z.string(),
      timezone: z.string(),
      label: z.string().optional(),
    }),
    filters: z.record(z.string(), z.unknown()),
    agreementVersion: z.number().int(),
    asOf: z.string(),
    definitions: z.record(z.string(), z.string()),
    baseline: z.object({ from: z.string(), to: z.string(), periods: z.number().int() }),
    options: z.object({
      baselinePeriods: z.number().int(),
      horizonDays: z.number(),
      minSample: z.number().int(),
      alpha: z.number(),
      segmentBy: z.array(z.string()),
    }),
    clogs: z.array(
      z.object({
        ...checkShape,
        impact: z.object({
          missingConversions: z.number().nullable(),
          stuck: z.number().int().nullable(),
          downstreamRate: z.number().nullable(),
          averageDealSize: z.number().nullable(),
          revenue: z.number().nullable(),
        }),
        leadCount: z.number().int(),
        leads: z.array(
          z.object({
            personId: z.string(),
            name: z.string().nullable(),
            email: z.string().nullable(),
            enteredAt: z.string(),
            hoursInStage: z.number(),
            stillIn: z.boolean(),
          }),
        ),
      }),
    ),
    checks: z.array(z.object(checkShape)),
    skippedSmall: z.number().int(),
  })
  .openapi('ClogReport');

const clogRoute = createRoute({
  method: 'get',
  path: '/api/v1/reports/clogs',
  tags: ['reports'],
  summary:
    'Clogs: stages × segments whose conversion or time in stage got significantly worse than the trailing baseline (z / Fisher / Mann–Whitney–Gehan, Benjamini–Hochberg), by revenue impact, with the leads concerned.',
  security: bearerSecurity,
  middleware: [requirePermission('reports:read')] as const,
  request: { query: clogQuery },
  responses: {
    200: {
      description: 'The clogs and every check tested, with the period, baseline, options and definitions.',
      content: { 'application/json': { schema: clogReportSchema } },
    },
    ...authErrors,
    ...invalid,
  },
});

const words = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function clogRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>().openapi(clogRoute, async (c) => {
    const { segment, segmentBy, ...query } = c.req.valid('query');
    const parsed = parseSegment(words(segment));
    if (!parsed.ok) throw new AppError('VALIDATION_FAILED', { message: parsed.message });
    const keys = words(segmentBy)
      .flatMap((word) => word.split(','))
      .map((key) => key.trim())
      .filter((key) => key !== '');
    const report = await getClogReport(
      { workspaceId: getPrincipal(c).workspaceId, ...query, filters: parsed.filters, segmentBy: keys },
      deps,
    );
    return c.json(report, 200);
  });
}
