import {
  contactRecords,
  readAccount,
  readContactRef,
  readContactTraits,
  readDealMoney,
  snapshotDealEvents,
} from '../build-helpers.ts';
import { toCalendarDate } from '../dates.ts';
import { crmColumn, traitColumn, traitsPattern } from '../layout-columns.ts';
import { type ColumnSpec, emptyRecords, type LayoutKindSpec } from '../layout-types.ts';
import { normalizeHeader } from '../values.ts';

/**
 * Salesforce exports of Leads, Contacts and Opportunities: Data Loader / Data Export files with
 * API names (`FirstName`, `LeadSource`, `IsConverted`) or report exports with field labels
 * ("First Name", "Lead Source"). Ids are kept as Salesforce writes them (15 or 18 characters,
 * case-sensitive) behind `salesforce:`.
 */

/** Leads, Contacts and Opportunities name their account alike. */
const accountIdColumn = crmColumn(
  'accountId',
  'text',
  'the account id, as `salesforce:<id>`',
  ['AccountId', 'Account ID'],
  ['AccountId'],
);

const contactColumns: ColumnSpec[] = [
  crmColumn(
    'crmId',
    'text',
    'the Lead or Contact id, stored as `salesforce:<id>`',
    ['Id', 'Lead ID', 'Contact ID'],
    'all',
  ),
  crmColumn('email', 'email', 'e-mail address', ['Email']),
  traitColumn('firstName', ['FirstName', 'First Name'], { signatures: ['FirstName'] }),
  traitColumn('lastName', ['LastName', 'Last Name'], { signatures: ['LastName'] }),
  traitColumn('title', ['Title']),
  traitColumn('phone', ['Phone']),
  traitColumn('company', ['Company', 'Company / Account', 'Account Name', 'Account.Name'], {
    signatures: ['Company / Account', 'Account.Name'],
  }),
  traitColumn('website', ['Website']),
  traitColumn('industry', ['Industry']),
  traitColumn('employees', ['NumberOfEmployees', 'No. of Employees', 'Employees'], {
    signatures: ['NumberOfEmployees', 'No. of Employees'],
  }),
  traitColumn('annualRevenue', ['AnnualRevenue', 'Annual Revenue'], { signatures: ['AnnualRevenue'] }),
  traitColumn('country', ['Country', 'MailingCountry', 'Mailing Country'], {
    signatures: ['MailingCountry'],
  }),
  traitColumn('state', ['State', 'State/Province', 'MailingState', 'Mailing State/Province'], {
    signatures: ['MailingState', 'State/Province'],
  }),
  traitColumn('city', ['City', 'MailingCity', 'Mailing City'], { signatures: ['MailingCity'] }),
  traitColumn('leadSource', ['LeadSource', 'Lead Source'], { signatures: 'all' }),
  traitColumn('leadStatus', ['Status', 'Lead Status'], {
    signatures: ['Lead Status'],
    description: 'trait leadStatus (Open - Not Contacted, Working - Contacted, …)',
  }),
  crmColumn(
    'owner',
    'text',
    'the owning rep, as written (user id or name)',
    ['OwnerId', 'Lead Owner', 'Contact Owner', 'Owner ID'],
    ['OwnerId', 'Lead Owner', 'Contact Owner'],
  ),
  crmColumn(
    'createdAt',
    'date',
    'when the record was created; a Lead enters stage lead then',
    ['CreatedDate', 'Created Date'],
    ['CreatedDate'],
  ),
  crmColumn(
    'converted',
    'boolean',
    'trait converted; a converted Lead enters stage sql',
    ['IsConverted', 'Converted'],
    ['IsConverted'],
  ),
  crmColumn(
    'convertedAt',
    'date',
    'when the Lead was converted (the date of stage sql)',
    ['ConvertedDate', 'Converted Date'],
    'all',
  ),
  crmColumn(
    'convertedContactId',
    'text',
    'trait convertedContactId (`salesforce:<id>`)',
    ['ConvertedContactId', 'Converted Contact ID'],
    'all',
  ),
  crmColumn(
    'convertedOpportunityId',
    'text',
    'a Lead converted with an opportunity also enters stage opportunity',
    ['ConvertedOpportunityId', 'Converted Opportunity ID'],
    'all',
  ),
  accountIdColumn,
];

const contacts: LayoutKindSpec = {
  layout: 'salesforce',
  kind: 'contacts',
  label: 'Salesforce Lead or Contact export',
  columns: contactColumns,
  patterns: [traitsPattern('any other field, as trait <name>')],
  required: [{ anyOf: ['crmId', 'email'], why: 'a contact needs Id or Email' }],
  produces: ['contacts'],
  defaultSource: 'salesforce',
  build(row, { source }) {
    const ref = readContactRef(row, source);
    const traits = readContactTraits(row);
    const converted = row.boolean('converted');
    if (converted !== undefined) traits.converted = converted;
    const convertedContactId = row.text('convertedContactId');
    if (convertedContactId) traits.convertedContactId = `${source}:${convertedContactId}`;
    const createdAt = row.date('createdAt');
    const convertedAt = row.date('convertedAt');
    const account = readAccount(row, source);
    if (!ref) return emptyRecords();

    // A Lead export (it has lead-only columns) puts every row in stage lead from its creation;
    // a converted Lead was accepted by sales (sql), with an opportunity when one was created.
    const isLeadExport = row.has('converted') || row.has('convertedAt') || row.has('leadStatus');
    const stageHistory: { stage: string; at: Date }[] = [];
    if (isLeadExport && createdAt) stageHistory.push({ stage: 'lead', at: createdAt });
    if ((converted ?? convertedAt !== undefined) && convertedAt) {
      stageHistory.push({ stage: 'sql', at: convertedAt });
      if (row.text('convertedOpportunityId')) stageHistory.push({ stage: 'opportunity', at: convertedAt });
    }
    return contactRecords(row, { ref, traits, source, account, createdAt, stageHistory });
  },
};

const opportunityColumns: ColumnSpec[] = [
  crmColumn(
    'dealId',
    'text',
    'the Opportunity id, stored as `salesforce:<id>`',
    ['Id', 'Opportunity ID', 'OpportunityId'],
    ['Id', 'Opportunity ID'],
  ),
  crmColumn('dealName', 'text', 'the deal name', ['Name', 'Opportunity Name'], ['Opportunity Name']),
  crmColumn('dealStage', 'text', 'the stage, as written', ['StageName', 'Stage'], ['StageName']),
  crmColumn('amount', 'money', 'the amount', ['Amount']),
  crmColumn(
    'currency',
    'text',
    'ISO currency code',
    ['CurrencyIsoCode', 'Opportunity Currency', 'Currency'],
    ['CurrencyIsoCode'],
  ),
  crmColumn(
    'closeDate',
    'calendar-date',
    'expected or actual close',
    ['CloseDate', 'Close Date'],
    ['CloseDate'],
  ),
  crmColumn(
    'createdAt',
    'date',
    'when the opportunity was created',
    ['CreatedDate', 'Created Date'],
    ['CreatedDate'],
  ),
  crmColumn('won', 'boolean', 'won', ['IsWon', 'Won'], ['IsWon']),
  crmColumn('closed', 'boolean', 'closed', ['IsClosed', 'Closed'], ['IsClosed']),
  crmColumn(
    'lossReason',
    'text',
    'the reason of a lost deal, when the org has the field',
    ['LossReason', 'Loss Reason', 'Loss_Reason__c'],
    ['LossReason', 'Loss_Reason__c'],
  ),
  crmColumn(
    'stageChangedAt',
    'date',
    'when an open deal entered its stage (adds a stage-changed event)',
    ['LastStageChangeDate', 'Last Stage Change Date'],
    'all',
  ),
  accountIdColumn,
  crmColumn('company', 'text', 'the account name', ['Account Name', 'Account.Name'], ['Account.Name']),
  crmColumn(
    'crmId',
    'text',
    "the primary contact's id, as `salesforce:<id>`",
    ['ContactId', 'Contact ID', 'Primary Contact ID'],
    ['ContactId'],
  ),
  crmColumn('email', 'email', "the primary contact's e-mail", [
    'Contact Email',
    'Primary Contact Email',
    'Email',
  ]),
  crmColumn('owner', 'text', 'read, not stored', ['OwnerId', 'Opportunity Owner'], ['Opportunity Owner']),
];

const opportunities: LayoutKindSpec = {
  layout: 'salesforce',
  kind: 'deals',
  label: 'Salesforce Opportunity export',
  columns: opportunityColumns,
  required: [
    { anyOf: ['dealId'], why: 'an opportunity needs Id' },
    { anyOf: ['dealStage', 'won', 'closed'], why: 'an opportunity needs StageName' },
    { anyOf: ['createdAt'], why: 'an opportunity needs CreatedDate' },
    { anyOf: ['crmId', 'email'], why: 'an opportunity needs its contact: ContactId or Contact Email' },
  ],
  produces: ['dealEvents'],
  defaultSource: 'salesforce',
  build(row, { source }) {
    const id = row.required('dealId');
    const createdAt = row.requiredDate('createdAt');
    const stage = row.text('dealStage');
    const closed = row.boolean('closed');
    const won = row.boolean('won');
    const normalized = stage ? normalizeHeader(stage) : '';
    const outcome =
      closed === undefined && won === undefined
        ? normalized === 'closedwon'
          ? 'won'
          : normalized === 'closedlost'
            ? 'lost'
            : 'open'
        : won === true
          ? 'won'
          : closed === true
            ? 'lost'
            : 'open';
    const { amount, currency } = readDealMoney(row);
    const closeAt = row.date('closeDate');
    if (outcome !== 'open' && !closeAt && !row.failed()) {
      row.fail(
        'missing-value',
        `a ${outcome === 'won' ? 'won' : 'lost'} opportunity needs CloseDate`,
        'closeDate',
      );
    }
    const contactId = row.text('crmId');
    const email = row.email('email');
    if (!contactId && !email && !row.failed()) {
      row.fail('missing-identity', 'names no contact: the contact id and e-mail are blank');
    }
    const account = readAccount(row, source);
    const name = row.text('dealName');
    const reason = row.text('lossReason');
    const stageChangedAt = row.date('stageChangedAt');
    if (!id || !createdAt || row.failed()) return emptyRecords();
    return snapshotDealEvents({
      dealId: `${source}:${id}`,
      ref: { ...(contactId && { crmId: `${source}:${contactId}` }), ...(email && { email }) },
      source,
      createdAt,
      outcome,
      name,
      stage,
      amount,
      currency,
      closeDate: closeAt && toCalendarDate(closeAt),
      stageChangedAt,
      reason,
      account,
    });
  },
};

export const salesforceLayouts: LayoutKindSpec[] = [contacts, opportunities];
