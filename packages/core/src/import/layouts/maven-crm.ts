import type { AccountRecord, ContactRecord, DealEventRecord, Traits } from '../../ingest/records.ts';
import { toCalendarDate } from '../dates.ts';
import { column } from '../layout-columns.ts';
import { type BuildContext, type ColumnSpec, emptyRecords, type LayoutKindSpec } from '../layout-types.ts';
import { parseInteger, parseNumber, slugify } from '../values.ts';

/**
 * Maven Analytics' "CRM Sales Opportunities" (public domain; an invented computer-hardware
 * company): `sales_pipeline.csv`, one row per opportunity, joined to `accounts.csv` and
 * `sales_teams.csv` read from the same folder.
 *
 * - The pipeline names no person, only a company. Each opportunity is therefore its own
 *   contact (`maven-crm:<opportunity_id>`: the buyer at the account), whose company is the
 *   account and whose owner is the sales agent. Accounts are `maven-crm:account:<name>`.
 * - Deal events: `created` in stage Prospecting, `stage-changed` to Engaging at engage_date,
 *   then `won` (with close_value, USD) or `lost` at close_date.
 * - Prospecting rows carry no date at all: they are dated at the data set's last day,
 *   2017-12-31 (`mavenCrmAsOf`), as "open at the time of the snapshot".
 * - Kept as they are: blank accounts (the contact then has no company), agents, stages.
 *   Normalised: the product `GTXPro` is `GTX Pro` (the name products.csv uses, so one product
 *   does not count as two) and the sector `technolgy` is `technology` (so fit rules on industry
 *   match it).
 */
const mavenCrmAsOf = new Date('2017-12-31T00:00:00Z');

const productNames: Record<string, string> = { GTXPro: 'GTX Pro' };
const sectorNames: Record<string, string> = { technolgy: 'technology' };
const stages = ['Prospecting', 'Engaging', 'Won', 'Lost'] as const;

const columns: ColumnSpec[] = [
  column('dealId', 'text', 'opportunity_id', 'the deal id and the contact id, `maven-crm:<id>`'),
  column(
    'agent',
    'text',
    'sales_agent',
    'the owner (rep id: the name as lowercase-dashes), trait salesAgent',
  ),
  column('product', 'text', 'product', 'the deal name and trait product (GTXPro read as GTX Pro)'),
  column('company', 'text', 'account', 'the account (joined to accounts.csv); blank: no company'),
  column('dealStage', 'text', 'deal_stage', 'Prospecting, Engaging, Won or Lost'),
  column('engagedAt', 'date', 'engage_date', 'when the deal entered Engaging'),
  column('closeDate', 'date', 'close_date', 'when it was won or lost'),
  column('amount', 'money', 'close_value', 'the amount of a won deal (USD)'),
];

function accountTraits(reference: Record<string, string> | undefined): Traits {
  const traits: Traits = {};
  if (!reference) return traits;
  const sector = reference.sector?.trim();
  if (sector) traits.industry = sectorNames[sector] ?? sector;
  const employees = parseInteger(reference.employees ?? '');
  if (employees !== undefined) traits.employees = employees;
  const revenue = parseNumber(reference.revenue ?? '');
  if (revenue !== undefined) traits.annualRevenue = Math.round(revenue * 1_000_000);
  const country = reference.office_location?.trim();
  if (country) traits.country = country;
  const established = parseInteger(reference.year_established ?? '');
  if (established !== undefined) traits.yearEstablished = established;
  const parent = reference.subsidiary_of?.trim();
  if (parent) traits.parentCompany = parent;
  return traits;
}

function readAccount(name: string | undefined, context: BuildContext): AccountRecord | undefined {
  if (!name) return undefined;
  return {
    crmId: `${context.source}:account:${slugify(name)}`,
    name,
    traits: accountTraits(context.lookup('accounts', name)),
  };
}

/** A deal event of a row: the row's contact, deal, source, product and account, and its own fields. */
function dealEvent(
  ref: ContactRecord['ref'],
  dealId: string,
  source: string,
  product: string | undefined,
  account: AccountRecord | undefined,
  own: Pick<DealEventRecord, 'kind' | 'stage' | 'occurredAt' | 'externalId'>,
): DealEventRecord {
  const event: DealEventRecord = {
    ref,
    dealId,
    source,
    kind: own.kind,
    stage: own.stage,
    occurredAt: own.occurredAt,
    externalId: own.externalId,
  };
  if (product) event.name = product;
  if (account) event.account = account;
  return event;
}

const pipeline: LayoutKindSpec = {
  layout: 'maven-crm',
  kind: 'deals',
  label: 'Maven CRM Sales Opportunities (sales_pipeline.csv)',
  columns,
  references: [
    {
      name: 'accounts',
      fileName: 'accounts.csv',
      key: 'account',
      description: 'sector, revenue, employees, location',
    },
    {
      name: 'teams',
      fileName: 'sales_teams.csv',
      key: 'sales_agent',
      description: "each agent's manager and regional office",
    },
  ],
  required: [
    { anyOf: ['dealId'], why: 'a row needs opportunity_id' },
    { anyOf: ['dealStage'], why: 'a row needs deal_stage' },
  ],
  produces: ['contacts', 'dealEvents'],
  defaultSource: 'maven-crm',
  build(row, context) {
    const { source } = context;
    const id = row.required('dealId');
    const stageText = row.required('dealStage');
    const stage = stages.find((s) => s.toLowerCase() === stageText?.toLowerCase());
    if (stageText && !stage)
      row.fail('invalid-value', `deal_stage must be ${stages.join(', ')}, not "${stageText}"`, 'dealStage');
    const engagedAt =
      stage && stage !== 'Prospecting' ? row.requiredDate('engagedAt') : row.date('engagedAt');
    const closedAt =
      stage === 'Won' || stage === 'Lost' ? row.requiredDate('closeDate') : row.date('closeDate');
    const money = row.money('amount');
    const agent = row.text('agent');
    const productText = row.text('product');
    const product = productText ? (productNames[productText] ?? productText) : undefined;
    const company = row.text('company');
    if (!id || !stage || row.failed()) return emptyRecords();

    const ref = { crmId: `${source}:${id}` };
    const account = readAccount(company, context);
    const traits: Traits = {};
    if (company) traits.company = company;
    if (product) traits.product = product;
    for (const name of ['industry', 'employees', 'annualRevenue', 'country'] as const) {
      const value = account?.traits[name];
      if (value !== undefined && value !== null) traits[name] = value;
    }
    if (agent) {
      traits.salesAgent = agent;
      const team = context.lookup('teams', agent);
      if (team?.manager) traits.salesManager = team.manager;
      if (team?.regional_office) traits.regionalOffice = team.regional_office;
    }
    const createdAt = engagedAt ?? mavenCrmAsOf;
    const contact: ContactRecord = { ref, traits, createdAt, source };
    if (account) contact.account = account;
    if (agent) contact.ownerRepId = slugify(agent);

    const dealId = `${source}:${id}`;
    // Built field by field: spreading shared fields into each event cost more than the rest of the row.
    const dealEvents: DealEventRecord[] = [
      dealEvent(ref, dealId, source, product, account, {
        kind: 'created',
        stage: 'Prospecting',
        occurredAt: createdAt,
        externalId: `${dealId}:created`,
      }),
    ];
    if (engagedAt) {
      dealEvents.push(
        dealEvent(ref, dealId, source, product, account, {
          kind: 'stage-changed',
          stage: 'Engaging',
          occurredAt: engagedAt,
          externalId: `${dealId}:stage:Engaging`,
        }),
      );
    }
    if ((stage === 'Won' || stage === 'Lost') && closedAt) {
      const kind = stage === 'Won' ? 'won' : 'lost';
      const event = dealEvent(ref, dealId, source, product, account, {
        kind,
        stage,
        occurredAt: closedAt,
        externalId: `${dealId}:${kind}`,
      });
      if (kind === 'won' && money) {
        event.amount = money.amount;
        event.currency = 'USD';
      }
      event.closeDate = toCalendarDate(closedAt);
      dealEvents.push(event);
    }
    return { ...emptyRecords(), contacts: [contact], dealEvents };
  },
};

export const mavenCrmLayouts: LayoutKindSpec[] = [pipeline];
