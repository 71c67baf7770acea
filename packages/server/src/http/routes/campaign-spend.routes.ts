import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import {
  importCampaignSpend,
  maxSpendRowsPerCall,
} from '../../use-cases/campaign-spend/import-campaign-spend.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const day = (example: string) =>
  z.string().max(10).openapi({ description: 'A local calendar day of the agreement, inclusive.', example });

const spendRowSchema = z
  .object({
    campaign: z.string().max(200).openapi({
      description: 'As in utm_campaign / context.campaign.name.',
      example: 'webinar-promo-2027-q1',
    }),
    source: z.string().max(200).nullish().openapi({
      description: 'utm_source, when the spend is known per source; empty or absent: the whole campaign.',
      example: 'linkedin',
    }),
    periodStart: day('2027-03-01'),
    periodEnd: day('2027-03-31'),
    amount: z.union([z.number(), z.string().max(30)]).openapi({ example: 4200.5 }),
    currency: z.string().max(3).openapi({ example: 'USD' }),
  })
  .strict()
  .openapi('CampaignSpendRow');

const importRoute = createRoute({
  method: 'post',
  path: '/api/v1/campaign-spend',
  tags: ['reports'],
  summary:
    'Import campaign spend for ROI: rows upserted on (campaign, source, periodStart), so sending them again changes nothing. Every row is checked first; one bad row stores none.',
  security: bearerSecurity,
  middleware: [requirePermission('facts:write')] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({ rows: z.array(spendRowSchema).min(1).max(maxSpendRowsPerCall) }).strict(),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'What was stored: rows received, new rows, replaced rows.',
      content: {
        'application/json': {
          schema: z
            .object({ received: z.number().int(), inserted: z.number().int(), updated: z.number().int() })
            .openapi('CampaignSpendImport'),
        },
      },
    },
    ...authErrors,
    ...invalid,
  },
});

export function campaignSpendRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>().openapi(importRoute, async (c) => {
    const principal = getPrincipal(c);
    const outcome = await importCampaignSpend(
      {
        workspaceId: principal.workspaceId,
        rows: c.req.valid('json').rows,
        importedBy: describePrincipal(principal),
      },
      deps,
    );
    return c.json(outcome, 200);
  });
}
