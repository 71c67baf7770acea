import type { AccountRecord } from '../../ingest/records.ts';
import {
  contactRecords,
  latestStageDate,
  readAccount,
  readContactRef,
  readContactTraits,
  readDealMoney,
  snapshotDealEvents,
} from '../build-helpers.ts';
import { toCalendarDate } from '../dates.ts';
import { crmColumn, traitColumn, traitsPattern } from '../layout-columns.ts';
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
  crmColumn(
    'crmId',
    'text',
    'the contact id, stored as `hubspot:<id>`',
    ['Record ID', 'hs_object_id', 'Contact ID', 'vid'],
    ['Record ID', 'hs_object_id', 'vid'],
  ),
  crmColumn('email', 'email', 'e-mail address', ['Email', 'email', 'Email Address']),
  traitColumn('firstName', ['First Name', 'firstname']),
  traitColumn('lastName', ['Last Name', 'lastname']),
  traitColumn('title', ['Job Title', 'jobtitle'], { signatures: ['jobtitle'] }),
  traitColumn('phone', ['Phone Number', 'phone']),
  traitColumn('company', ['Company Name', 'company', 'Associated Company', 'Associated Company (Primary)']),
  traitColumn('website', ['Website URL', 'website']),
  traitColumn('industry', ['Industry', 'industry']),
  traitColumn('employees', ['Number of Employees', 'numemployees', 'numberofemployees'], {
    signatures: ['numemployees'],
    description: 'trait employees (a range such as 25-50 counts as its lower bound)',
  }),
  traitColumn('annualRevenue', ['Annual Revenue', 'annualrevenue']),
  traitColumn('country', ['Country/Region', 'country'], { signatures: ['Country/Region'] }),
  traitColumn('state', ['State/Region', 'state'], { signatures: ['State/Region'] }),
  traitColumn('city', ['City', 'city']),
  traitColumn('leadSource', ['Original Source', 'hs_analytics_source', 'Original Source Type'], {
    signatures: 'all',
    description: 'trait leadSource (ORGANIC_SEARCH, PAID_SOCIAL, …)',
  }),
  traitColumn('leadSourceDetail', ['Original Source Drill-Down 1', 'hs_analytics_source_data_1'], {
    signatures: 'all',
  }),
  traitColumn('leadStatus', ['Lead Status', 'hs_lead_status'], { signatures: ['hs_lead_status'] }),
  traitColumn('lifecycleStage', ['Lifecycle Stage', 'lifecyclestage'], {
    signatures: 'all',
    description: 'trait lifecycleStage as written; its stage is the current stage',
  }),
  crmColumn(
    'owner',
    'text',
    'the owning rep, as written (a name with labels, an owner id with internal names)',
    ['Contact owner', 'hubspot_owner_id'],
    'all',
  ),
  crmColumn('createdAt', 'date', 'when the contact was created', ['Create Date', 'createdate'], 'all'),
  crmColumn(
    'accountId',
    'list',
    'the company id (the first one), stored as `hubspot:<id>`',
    ['Associated Company ID', 'Associated Company IDs', 'associatedcompanyid'],
    'all',
  ),
  became('subscriber', 'a Subscriber', 'subscriber', 'Subscriber'),
  became('lead', 'a Lead', 'lead', 'Lead'),
  became('mql', 'a Marketing Qualified Lead', 'marketingqualifiedlead', 'Marketing Qualified Lead'),
  became('sql', 'a Sales Qualified Lead', 'salesqualifiedlead', 'Sales Qualified Lead'),
  became('opportunity', 'an Opportunity', 'opportunity', 'Opportunity'),
  became('customer', 'a Customer', 'customer', 'Customer'),
  became('evangelist', 'an Evangelist', 'evangelist', 'Evangelist'),
  became('other', 'an Other Lifecycle Stage', 'other', 'Other'),
];

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
    const latest = latestStageDate(history, createdAt);
    if (latest) history.push({ stage: current, at: latest });
  }
  return history;
}

/** The row's company, under its first associated company id when the row has one. */
function readCompany(row: RowReader, source: string): AccountRecord | undefined {
  const account = readAccount(row, source);
  const accountId = firstOfList(row.text('accountId'));
  if (account && accountId) account.crmId = `${source}:${accountId}`;
  return account;
}

const contacts: LayoutKindSpec = {
  layout: 'hubspot',
  kind: 'contacts',
  label: 'HubSpot contacts export',
  columns: contactColumns,
  patterns: [traitsPattern('any other property, as trait <name> (numbers and true/false typed)')],
  required: [{ anyOf: ['crmId', 'email'], why: 'a contact needs Record ID or Email' }],
  produces: ['contacts'],
  defaultSource: 'hubspot',
  build(row, { source }) {
    const ref = readContactRef(row, source);
    const traits = readContactTraits(row);
    const createdAt = row.date('createdAt');
    const stageHistory = readStageHistory(row, createdAt);
    const account = readCompany(row, source);
    if (!ref) return emptyRecords();
    return contactRecords(row, { ref, traits, source, account, createdAt, stageHistory });
  },
};

const dealColumns: ColumnSpec[] = [
  crmColumn(
    'dealId',
    'text',
    'the deal id, stored as `hubspot:<id>`',
    ['Record ID', 'hs_object_id', 'Deal ID'],
    ['Record ID', 'hs_object_id'],
  ),
  crmColumn('dealName', 'text', 'the deal name', ['Deal Name', 'dealname'], 'all'),
  crmColumn(
    'dealStage',
    'text',
    'the deal stage; default-pipeline labels become their ids (closedwon, …)',
    ['Deal Stage', 'dealstage'],
    'all',
  ),
  crmColumn('pipeline', 'text', 'read, not stored', ['Pipeline', 'pipeline']),
  crmColumn('amount', 'money', 'the amount', ['Amount', 'amount']),
  crmColumn(
    'currency',
    'text',
    'ISO currency code',
    ['Currency', 'deal_currency_code'],
    ['deal_currency_code'],
  ),
  crmColumn('closeDate', 'date', 'expected or actual close', ['Close Date', 'closedate'], ['closedate']),
  crmColumn('createdAt', 'date', 'when the deal was created', ['Create Date', 'createdate'], 'all'),
  crmColumn('won', 'boolean', 'won (else the stage decides)', ['Is Closed Won', 'hs_is_closed_won'], 'all'),
  crmColumn(
    'closed',
    'boolean',
    'closed (else the stage decides)',
    ['Is Deal Closed?', 'Is Closed', 'hs_is_closed'],
    ['Is Deal Closed?', 'hs_is_closed'],
  ),
  crmColumn(
    'lossReason',
    'text',
    'the reason of a lost deal',
    ['Closed Lost Reason', 'closed_lost_reason'],
    'all',
  ),
  crmColumn(
    'stageChangedAt',
    'date',
    'when an open deal entered its stage (adds a stage-changed event)',
    ['Date entered current stage', 'hs_v2_date_entered_current_stage'],
    'all',
  ),
  crmColumn(
    'owner',
    'text',
    'read, not stored (deal events carry no owner)',
    ['Deal owner', 'hubspot_owner_id'],
    'all',
  ),
  crmColumn(
    'crmId',
    'list',
    "the contact's id (the first one), as `hubspot:<id>`",
    ['Associated Contact IDs', 'Associated Contact ID', 'associatedvids'],
    'all',
  ),
  crmColumn(
    'contact',
    'text',
    'the contact as HubSpot writes it, `Name (email)`: the e-mail is used',
    ['Associated Contact'],
    'all',
  ),
  crmColumn('email', 'email', "the contact's e-mail", ['Contact Email', 'Associated Contact Email', 'Email']),
  crmColumn('company', 'text', 'the account name', [
    'Associated Company',
    'Company Name',
    'Associated Company (Primary)',
  ]),
  crmColumn(
    'accountId',
    'list',
    'the account id (the first one), as `hubspot:<id>`',
    ['Associated Company IDs', 'Associated Company ID'],
    'all',
  ),
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
    const { amount, currency } = readDealMoney(row);
    const closeAt = row.date('closeDate');
    if (outcome !== 'open' && !closeAt && !row.failed()) {
      row.fail('missing-value', `a ${outcome} deal needs its close date`, 'closeDate');
    }
    const account = readCompany(row, source);
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
    return snapshotDealEvents({
      dealId: `${source}:${id}`,
      ref,
      source,
      createdAt,
      outcome,
      name,
      stage,
      amount,
      currency,
      closeDate: closeAt && toCalendarDate(closeAt),
      closedAt: closeAt,
      stageChangedAt,
      reason,
      account,
    });
  },
};

function findEmailIn(text: string | undefined): string | undefined {
  return text === undefined ? undefined : findEmail(text);
}

export const hubspotLayouts: LayoutKindSpec[] = [contacts, deals];
