import type { ContactRecord } from '../../ingest/records.ts';
import {
  readAccount,
  readContactRef,
  readContactTraits,
  snapshotDealEvents,
  sortStageHistory,
} from '../build-helpers.ts';
import { toCalendarDate } from '../dates.ts';
import { type ColumnSpec, emptyRecords, type LayoutKindSpec, type RowReader } from '../layout-types.ts';
import { findEmail, normalizeHeader } from '../values.ts';

/**
 * HubSpot CRM exports (Contacts → Export, Deals → Export), with property labels ("First Name",
 * "Lifecycle Stage") or internal names (`firstname`, `lifecyclestage`). Dates come as
 * `YYYY-MM-DD HH:mm` or, with internal names, as epoch milliseconds.
 */

/** HubSpot's default lifecycle stages (internal value or label) → the default agreement's stage ids. */
const lifecycleStages: Record<string, string | null> = {
  subscriber: 'subscriber',
  lead: 'lead',
  marketingqualifiedlead: 'mql',
  mql: 'mql',
  salesqualifiedlead: 'sql',
  sql: 'sql',
  opportunity: 'opportunity',
  customer: 'customer',
  // An evangelist is a customer who recommends us: still a customer in the funnel.
  evangelist: 'customer',
  // "Other" is outside the funnel: no stage.
  other: null,
};

/** The agreement stage of a HubSpot lifecycle stage; `null` for "other"; undefined for a custom stage. */
export function hubspotLifecycleStage(value: string): string | null | undefined {
  return lifecycleStages[normalizeHeader(value)];
}

const defaultDealStages = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];

/** A default-pipeline deal stage by label or id → its internal id; other stages as written. */
export function hubspotDealStage(value: string): string {
  const normalized = normalizeHeader(value);
  return defaultDealStages.includes(normalized) ? normalized : value;
}

const became = (stage: string, label: string, internal: string, pipelineLabel: string): ColumnSpec => {
  const headers = [
    `Became ${label} Date`,
    `hs_lifecyclestage_${internal}_date`,
    `Date entered "${pipelineLabel} (Lifecycle Stage Pipeline)"`,
    `hs_v2_date_entered_${internal}`,
  ];
  return {
    field: `became.${stage}`,
    type: 'date',
    headers,
    signatures: headers,
    description: `when the contact became ${label.replace(/^an? /, '')}`,
  };
};

const contactColumns: ColumnSpec[] = [
  {
    field: 'crmId',
    type: 'text',
    headers: ['Record ID', 'hs_object_id', 'Contact ID', 'vid'],
    signatures: ['Record ID', 'hs_object_id', 'vid'],
    description: 'the contact id, stored as `hubspot:<id>`',
  },
  {
    field: 'email',
    type: 'email',
    headers: ['Email', 'email', 'Email Address'],
    description: 'e-mail address',
  },
  { field: 'firstName', type: 'text', headers: ['First Name', 'firstname'], description: 'trait firstName' },
  { field: 'lastName', type: 'text', headers: ['Last Name', 'lastname'], description: 'trait lastName' },
  {
    field: 'title',
    type: 'text',
    headers: ['Job Title', 'jobtitle'],
    signatures: ['jobtitle'],
    description: 'trait title',
  },
  { field: 'phone', type: 'text', headers: ['Phone Number', 'phone'], description: 'trait phone' },
  {
    field: 'company',
    type: 'text',
    headers: ['Company Name', 'company', 'Associated Company', 'Associated Company (Primary)'],
    description: 'trait company and the account name',
  },
  {
    field: 'website',
    type: 'domain',
    headers: ['Website URL', 'website'],
    description: 'the account domain',
  },
  { field: 'industry', type: 'text', headers: ['Industry', 'industry'], description: 'trait industry' },
  {
    field: 'employees',
    type: 'employees',
    headers: ['Number of Employees', 'numemployees', 'numberofemployees'],
    signatures: ['numemployees'],
    description: 'trait employees (a range such as 25-50 counts as its lower bound)',
  },
  {
    field: 'annualRevenue',
    type: 'number',
    headers: ['Annual Revenue', 'annualrevenue'],
    description: 'trait annualRevenue',
  },
  {
    field: 'country',
    type: 'text',
    headers: ['Country/Region', 'country'],
    signatures: ['Country/Region'],
    description: 'trait country',
  },
  {
    field: 'state',
    type: 'text',
    headers: ['State/Region', 'state'],
    signatures: ['State/Region'],
    description: 'trait state',
  },
  { field: 'city', type: 'text', headers: ['City', 'city'], description: 'trait city' },
  {
    field: 'leadSource',
    type: 'text',
    headers: ['Original Source', 'hs_analytics_source', 'Original Source Type'],
    signatures: ['Original Source', 'hs_analytics_source', 'Original Source Type'],
    description: 'trait leadSource (ORGANIC_SEARCH, PAID_SOCIAL, …)',
  },
  {
    field: 'leadSourceDetail',
    type: 'text',
    headers: ['Original Source Drill-Down 1', 'hs_analytics_source_data_1'],
    signatures: ['Original Source Drill-Down 1', 'hs_analytics_source_data_1'],
    description: 'trait leadSourceDetail',
  },
  {
    field: 'leadStatus',
    type: 'text',
    headers: ['Lead Status', 'hs_lead_status'],
    signatures: ['hs_lead_status'],
    description: 'trait leadStatus',
  },
  {
    field: 'lifecycleStage',
    type: 'text',
    headers: ['Lifecycle Stage', 'lifecyclestage'],
    signatures: ['Lifecycle Stage', 'lifecyclestage'],
    description: 'trait lifecycleStage as written; its stage is the current stage',
  },
  {
    field: 'owner',
    type: 'text',
    headers: ['Contact owner', 'hubspot_owner_id'],
    signatures: ['Contact owner', 'hubspot_owner_id'],
    description: 'the owning rep, as written (a name with labels, an owner id with internal names)',
  },
  {
    field: 'createdAt',
    type: 'date',
    headers: ['Create Date', 'createdate'],
    signatures: ['Create Date', 'createdate'],
    description: 'when the contact was created',
  },
  {
    field: 'accountId',
    type: 'list',
    headers: ['Associated Company ID', 'Associated Company IDs', 'associatedcompanyid'],
    signatures: ['Associated Company ID', 'Associated Company IDs', 'associatedcompanyid'],
    description: 'the company id (the first one), stored as `hubspot:<id>`',
  },
  became('subscriber', 'a Subscriber', 'subscriber', 'Subscriber'),
  became('lead', 'a Lead', 'lead', 'Lead'),
  became('mql', 'a Marketing Qualified Lead', 'marketingqualifiedlead', 'Marketing Qualified Lead'),
  became('sql', 'a Sales Qualified Lead', 'salesqualifiedlead', 'Sales Qualified Lead'),
  became('opportunity', 'an Opportunity', 'opportunity', 'Opportunity'),
  became('customer', 'a Customer', 'customer', 'Customer'),
  became('evangelist', 'an Evangelist', 'evangelist', 'Evangelist'),
  became('other', 'an Other Lifecycle Stage', 'other', 'Other'),
];

const traitsPattern = {
  pattern: /^traits\.(.+)$/,
  fieldPrefix: 'traits.',
  example: 'traits.<name>',
  type: 'inferred' as const,
  description: 'any other property, as trait <name> (numbers and true/false typed)',
};

/** The first of a `;`-separated list of ids (HubSpot's association columns). */
function firstOfList(text: string | undefined): string | undefined {
  return text
    ?.split(/[;,]/)
    .map((part) => part.trim())
    .find((part) => part !== '');
}

function readStageHistory(row: RowReader, createdAt: Date | undefined): { stage: string; at: Date }[] {
  const history: { stage: string; at: Date }[] = [];
  for (const stage of ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']) {
    const at = row.date(`became.${stage}`);
    if (at) history.push({ stage, at });
  }
  const evangelistAt = row.date('became.evangelist');
  row.date('became.other');
  if (evangelistAt && !history.some((entry) => entry.stage === 'customer')) {
    history.push({ stage: 'customer', at: evangelistAt });
  }
  const lifecycle = row.text('lifecycleStage');
  const current = lifecycle ? hubspotLifecycleStage(lifecycle) : undefined;
  if (current && !history.some((entry) => entry.stage === current)) {
    // The current stage without its "Became a … Date": dated at the latest date the row knows.
    const latest = history.reduce<Date | undefined>(
      (max, entry) => (!max || entry.at > max ? entry.at : max),
      createdAt,
    );
    if (latest) history.push({ stage: current, at: latest });
  }
  return sortStageHistory(history);
}

const contacts: LayoutKindSpec = {
  layout: 'hubspot',
  kind: 'contacts',
  label: 'HubSpot contacts export',
  columns: contactColumns,
  patterns: [traitsPattern],
  required: [{ anyOf: ['crmId', 'email'], why: 'a contact needs Record ID or Email' }],
  produces: ['contacts'],
  defaultSource: 'hubspot',
  build(row, { source }) {
    const ref = readContactRef(row, source);
    const traits = readContactTraits(row);
    const createdAt = row.date('createdAt');
    const stageHistory = readStageHistory(row, createdAt);
    const account = readAccount(row, source);
    const accountId = firstOfList(row.text('accountId'));
    if (account && accountId) account.crmId = `${source}:${accountId}`;
    if (!ref) return emptyRecords();
    const owner = row.text('owner');
    const contact: ContactRecord = { ref, traits, source };
    if (account) contact.account = account;
    if (owner) contact.ownerRepId = owner;
    if (createdAt) contact.createdAt = createdAt;
    if (stageHistory.length > 0) contact.stageHistory = stageHistory;
    return { ...emptyRecords(), contacts: [contact] };
  },
};

const dealColumns: ColumnSpec[] = [
  {
    field: 'dealId',
    type: 'text',
    headers: ['Record ID', 'hs_object_id', 'Deal ID'],
    signatures: ['Record ID', 'hs_object_id'],
    description: 'the deal id, stored as `hubspot:<id>`',
  },
  {
    field: 'dealName',
    type: 'text',
    headers: ['Deal Name', 'dealname'],
    signatures: ['Deal Name', 'dealname'],
    description: 'the deal name',
  },
  {
    field: 'dealStage',
    type: 'text',
    headers: ['Deal Stage', 'dealstage'],
    signatures: ['Deal Stage', 'dealstage'],
    description: 'the deal stage; default-pipeline labels become their ids (closedwon, …)',
  },
  { field: 'pipeline', type: 'text', headers: ['Pipeline', 'pipeline'], description: 'read, not stored' },
  { field: 'amount', type: 'money', headers: ['Amount', 'amount'], description: 'the amount' },
  {
    field: 'currency',
    type: 'text',
    headers: ['Currency', 'deal_currency_code'],
    signatures: ['deal_currency_code'],
    description: 'ISO currency code',
  },
  {
    field: 'closeDate',
    type: 'date',
    headers: ['Close Date', 'closedate'],
    signatures: ['closedate'],
    description: 'expected or actual close',
  },
  {
    field: 'createdAt',
    type: 'date',
    headers: ['Create Date', 'createdate'],
    signatures: ['Create Date', 'createdate'],
    description: 'when the deal was created',
  },
  {
    field: 'won',
    type: 'boolean',
    headers: ['Is Closed Won', 'hs_is_closed_won'],
    signatures: ['Is Closed Won', 'hs_is_closed_won'],
    description: 'won (else the stage decides)',
  },
  {
    field: 'closed',
    type: 'boolean',
    headers: ['Is Deal Closed?', 'Is Closed', 'hs_is_closed'],
    signatures: ['Is Deal Closed?', 'hs_is_closed'],
    description: 'closed (else the stage decides)',
  },
  {
    field: 'lossReason',
    type: 'text',
    headers: ['Closed Lost Reason', 'closed_lost_reason'],
    signatures: ['Closed Lost Reason', 'closed_lost_reason'],
    description: 'the reason of a lost deal',
  },
  {
    field: 'stageChangedAt',
    type: 'date',
    headers: ['Date entered current stage', 'hs_v2_date_entered_current_stage'],
    signatures: ['Date entered current stage', 'hs_v2_date_entered_current_stage'],
    description: 'when an open deal entered its stage (adds a stage-changed event)',
  },
  {
    field: 'owner',
    type: 'text',
    headers: ['Deal owner', 'hubspot_owner_id'],
    signatures: ['Deal owner', 'hubspot_owner_id'],
    description: 'read, not stored (deal events carry no owner)',
  },
  {
    field: 'crmId',
    type: 'list',
    headers: ['Associated Contact IDs', 'Associated Contact ID', 'associatedvids'],
    signatures: ['Associated Contact IDs', 'Associated Contact ID', 'associatedvids'],
    description: "the contact's id (the first one), as `hubspot:<id>`",
  },
  {
    field: 'contact',
    type: 'text',
    headers: ['Associated Contact'],
    signatures: ['Associated Contact'],
    description: 'the contact as HubSpot writes it, `Name (email)`: the e-mail is used',
  },
  {
    field: 'email',
    type: 'email',
    headers: ['Contact Email', 'Associated Contact Email', 'Email'],
    description: "the contact's e-mail",
  },
  {
    field: 'company',
    type: 'text',
    headers: ['Associated Company', 'Company Name', 'Associated Company (Primary)'],
    description: 'the account name',
  },
  {
    field: 'accountId',
    type: 'list',
    headers: ['Associated Company IDs', 'Associated Company ID'],
    signatures: ['Associated Company IDs', 'Associated Company ID'],
    description: 'the account id (the first one), as `hubspot:<id>`',
  },
];

const deals: LayoutKindSpec = {
  layout: 'hubspot',
  kind: 'deals',
  label: 'HubSpot deals export',
  columns: dealColumns,
  required: [
    { anyOf: ['dealId'], why: 'a deal needs Record ID' },
    { anyOf: ['dealStage', 'won', 'closed'], why: 'a deal needs Deal Stage' },
    { anyOf: ['createdAt'], why: 'a deal needs Create Date' },
    {
      anyOf: ['crmId', 'contact', 'email'],
      why: 'a deal needs its contact: Associated Contact IDs, Associated Contact or Contact Email',
    },
  ],
  produces: ['dealEvents'],
  defaultSource: 'hubspot',
  build(row, { source }) {
    const id = row.required('dealId');
    const contactId = firstOfList(row.text('crmId'));
    const email = row.email('email') ?? findEmailIn(row.text('contact'));
    const createdAt = row.requiredDate('createdAt');
    const stageText = row.text('dealStage');
    const stage = stageText ? hubspotDealStage(stageText) : undefined;
    const won = row.boolean('won');
    const closed = row.boolean('closed');
    const outcome =
      won === true || stage === 'closedwon'
        ? 'won'
        : stage === 'closedlost' || (closed === true && won === false)
          ? 'lost'
          : 'open';
    const money = row.money('amount');
    const currency = row.text('currency') ?? money?.currency;
    const closeAt = row.date('closeDate');
    if (outcome !== 'open' && !closeAt && !row.failed()) {
      row.fail('missing-value', `a ${outcome} deal needs its close date`, 'closeDate');
    }
    const account = readAccount(row, source);
    const accountId = firstOfList(row.text('accountId'));
    if (account && accountId) account.crmId = `${source}:${accountId}`;
    if (!contactId && !email && !row.failed()) {
      row.fail('missing-identity', 'names no contact: the associated contact columns are blank');
    }
    const name = row.text('dealName');
    const reason = row.text('lossReason');
    const stageChangedAt = row.date('stageChangedAt');
    if (!id || !createdAt || row.failed()) return emptyRecords();
    const ref = {
      ...(contactId && { crmId: `${source}:${contactId}` }),
      ...(email && { email }),
    };
    const dealEvents = snapshotDealEvents({
      dealId: `${source}:${id}`,
      ref,
      source,
      createdAt,
      outcome,
      ...(name && { name }),
      ...(stage && { stage }),
      ...(money && { amount: money.amount }),
      ...(currency && { currency: currency.toUpperCase() }),
      ...(closeAt && { closeDate: toCalendarDate(closeAt), closedAt: closeAt }),
      ...(stageChangedAt && { stageChangedAt }),
      ...(reason && { reason }),
      ...(account && { account }),
    });
    return { ...emptyRecords(), dealEvents };
  },
};

function findEmailIn(text: string | undefined): string | undefined {
  return text === undefined ? undefined : findEmail(text);
}

export const hubspotLayouts: LayoutKindSpec[] = [contacts, deals];
