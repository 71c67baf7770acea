import type { ColumnSpec, PatternSpec } from './layout-types.ts';

type FieldType = ColumnSpec['type'];

/**
 * A column known by one name, typical of its layout (its signature), and maybe some aliases:
 * the layouts whose files have fixed, documented column names.
 */
export function column(
  field: string,
  type: FieldType,
  name: string,
  description: string,
  aliases: string[] = [],
): ColumnSpec {
  return { field, type, headers: [name, ...aliases], signatures: [name], description };
}

/**
 * A column of a CRM export, known by several headers (labels and internal names); `signatures`
 * are those typical of the CRM (see `ColumnSpec`), `'all'` when every header is.
 */
export function crmColumn(
  field: string,
  type: FieldType,
  description: string,
  headers: string[],
  signatures?: string[] | 'all',
): ColumnSpec {
  return {
    field,
    type,
    headers,
    ...(signatures && { signatures: signatures === 'all' ? headers : signatures }),
    description,
  };
}

/** The contact traits CRM exports share, where they are not text described as `trait <field>`. */
const traitColumns: Record<string, { type: FieldType; description: string }> = {
  company: { type: 'text', description: 'trait company and the account name' },
  website: { type: 'domain', description: 'the account domain' },
  employees: { type: 'employees', description: 'trait employees' },
  annualRevenue: { type: 'number', description: 'trait annualRevenue' },
};

/**
 * A CRM export's column of a contact trait (`firstName`, `industry`, `employees`…): its type and
 * description are the trait's, unless `description` says more; the headers are the CRM's.
 */
export function traitColumn(
  field: string,
  headers: string[],
  options: { signatures?: string[] | 'all'; description?: string } = {},
): ColumnSpec {
  const known = traitColumns[field];
  return crmColumn(
    field,
    known?.type ?? 'text',
    options.description ?? known?.description ?? `trait ${field}`,
    headers,
    options.signatures,
  );
}

/** `traits.<name>` columns: any other field of the export, as a trait of that name. */
export function traitsPattern(description: string, pattern = /^traits\.(.+)$/): PatternSpec {
  return { pattern, fieldPrefix: 'traits.', example: 'traits.<name>', type: 'inferred', description };
}
