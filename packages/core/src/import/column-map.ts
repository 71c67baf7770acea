import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { dateFormats } from './dates.ts';
import { importKinds, layoutIds } from './layout-types.ts';

/**
 * A `--map` file: which column fills which field, overriding what the layout would guess, in
 * YAML or JSON. `null` or `ignore` leaves a column out.
 *
 * ```yaml
 * layout: generic          # optional: the layout whose fields the columns name
 * kind: contacts           # optional
 * dateFormat: DD/MM/YYYY   # optional
 * source: legacy-crm       # optional
 * columns:
 *   "E-mail": email
 *   "Given name": first_name
 *   "Plan": traits.plan
 *   "Internal notes": ignore
 * ```
 */
const columnMapSchema = z.strictObject({
  layout: z.enum(layoutIds).optional(),
  kind: z.enum(importKinds).optional(),
  dateFormat: z.enum(dateFormats).optional(),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
      error: 'source is 1 to 64 lowercase letters, digits, dots, dashes or underscores',
    })
    .optional(),
  columns: z.record(z.string().min(1), z.union([z.string().min(1), z.null()])),
});
export type ColumnMap = z.infer<typeof columnMapSchema>;

export type ParseColumnMapResult = { ok: true; map: ColumnMap } | { ok: false; problems: string[] };

export function parseColumnMap(text: string): ParseColumnMapResult {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return { ok: false, problems: [`not valid YAML or JSON: ${(error as Error).message}`] };
  }
  const parsed = columnMapSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) =>
        issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      ),
    };
  }
  return { ok: true, map: parsed.data };
}
