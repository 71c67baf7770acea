import { z } from '@hono/zod-openapi';

const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const errorContent = { 'application/json': { schema: errorResponseSchema } };

/** The error answers every authenticated route can give. */
export const authErrors = {
  401: { description: 'No API key, or a wrong or revoked one.', content: errorContent },
  403: { description: "The key's role does not allow this.", content: errorContent },
} as const;

export const notFound = {
  404: { description: 'Not found in this workspace.', content: errorContent },
} as const;
export const invalid = { 400: { description: 'The request is not valid.', content: errorContent } } as const;

export const bearerSecurity = [{ bearer: [] }];
