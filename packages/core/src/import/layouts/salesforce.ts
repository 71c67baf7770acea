import type { ContactRecord } from '../../ingest/records.ts';
import {
  readAccount,
  readContactRef,
  readContactTraits,
  snapshotDealEvents,
  sortStageHistory,
} from '../build-helpers.ts';
import { toCalendarDate } from '../dates.ts';
import { type ColumnSpec, emptyRecords, type LayoutKindSpec } from '../layout-types.ts';
import { normalizeHeader } from '../values.ts';

/**
 * Salesforce exports of Leads, Contacts and Opportunities: Data Loader / Data Export files with
 * API names (`FirstName`, `LeadSource`, `IsConverted`) or report exports with field labels
 * ("First Name", "Lead Source"). Ids are kept as Salesforce writes them (15 or 18 characters,
 * case-sensitive) behind `salesforce:`.
 */

const contactColumns: ColumnSpec[] = [
  {
    field: 'crmId',
    type: 'text',
    headers: ['Id', 'Lead ID', 'Contact ID'],
    signatures: ['Id', 'Lead ID', 'Contact ID'],
    description: 'the Lead or Contact id, stored as `salesforce:<id>`',
  },
  { field: 'email', type: 'email', headers: ['Email'], description: 'e-mail address' },
  {
    field: 'firstName',
    type: 'text',
    headers: ['FirstName', 'First Name'],
    signatures: ['FirstName'],
    description: 'trait firstName',
  },
  {
    field: 'lastName',
    type: 'text',
    headers: ['LastName', 'Last Name'],
    signatures: ['LastName'],
    description: 'trait lastName',
  },
  { field: 'title', type: 'text', headers: ['Title'], description: 'trait title' },
  { field: 'phone', type: 'text', headers: ['Phone'], description: 'trait phone' },
  {
    field: 'company',
    type: 'text',
    headers: ['Company', 'Company / Account', 'Account Name', 'Account.Name'],
    signatures: ['Company / Account', 'Account.Name'],
    description: 'trait company and the account name',
  },
  { field: 'website', type: 'domain', headers: ['Website'], description: 'the account domain' },
  { field: 'industry', type: 'text', headers: ['Industry'], description: 'trait industry' },
  {
    field: 'employees',
    type: 'employees',
    headers: ['NumberOfEmployees', 'No. of Employees', 'Employees'],
    signatures: ['NumberOfEmployees', 'No. of Employees'],
    description: 'trait employees',
  },
  {
    field: 'annualRevenue',
    type: 'number',
    headers: ['AnnualRevenue', 'Annual Revenue'],
    signatures: ['AnnualRevenue'],
    description: 'trait annualRevenue',
  },
  {
    field: 'country',
    type: 'text',
    headers: ['Country', 'MailingCountry', 'Mailing Country'],
    signatures: ['MailingCountry'],
    description: 'trait country',
  },
  {
    field: 'state',
    type: 'text',
    headers: ['State', 'State/Province', 'MailingState', 'Mailing State/Province'],
    signatures: ['MailingState', 'State/Province'],
    description: 'trait state',
  },
  {
    field: 'city',
    type: 'text',
    headers: ['City', 'MailingCity', 'Mailing City'],
    signatures: ['MailingCity'],
    description: 'trait city',
  },
  {
    field: 'leadSource',
    type: 'text',
    headers: ['LeadSource', 'Lead Source'],
    signatures: ['LeadSource', 'Lead Source'],
    description: 'trait leadSource',
  },
  {
    field: 'leadStatus',
    type: 'text',
    headers: ['Status', 'Lead Status'],
    signatures: ['Lead Status'],
    description: 'trait leadStatus (Open - Not Contacted, Working - Contacted, …)',
  },
  {
    field: 'owner',
    type: 'text',
    headers: ['OwnerId', 'Lead Owner', 'Contact Owner', 'Owner ID'],
    signatures: ['OwnerId', 'Lead Owner', 'Contact Owner'],
    description: 'the owning rep, as written (user id or name)',
  },
  {
    field: 'createdAt',
    type: 'date',
    headers: ['CreatedDate', 'Created Date'],
    signatures: ['CreatedDate'],
    description: 'when the record was created; a Lead enters stage lead then',
  },
  {
    field: 'converted',
    type: 'boolean',
    headers: ['IsConverted', 'Converted'],
    signatures: ['IsConverted'],
    description: 'trait converted; a converted Lead enters stage sql',
  },
  {
    field: 'convertedAt',
    type: 'date',
    headers: ['ConvertedDate', 'Converted Date'],
    signatures: ['ConvertedDate', 'Converted Date'],
    description: 'when the Lead was converted (the date of stage sql)',
  },
  {
    field: 'convertedContactId',
    type: 'text',
    headers: ['ConvertedContactId', 'Converted Contact ID'],
    signatures: ['ConvertedContactId', 'Converted Contact ID'],
    description: 'trait convertedContactId (`salesforce:<id>`)',
  },
  {
    field: 'convertedOpportunityId',
    type: 'text',
    headers: ['ConvertedOpportunityId', 'Converted Opportunity ID'],
    signatures: ['ConvertedOpportunityId', 'Converted Opportunity ID'],
    description: 'a Lead converted with an opportunity also enters stage opportunity',
  },
  {
    field: 'accountId',
    type: 'text',
    headers: ['AccountId', 'Account ID'],
    signatures: ['AccountId'],
    description: 'the account id, as `salesforce:<id>`',
  },
];

const traitsPattern = {
  pattern: /^traits\.(.+)$/,
  fieldPrefix: 'traits.',
  example: 'traits.<name>',
  type: 'inferred' as const,
  description: 'any other field, as trait <name>',
};

const contacts: LayoutKindSpec = {
  layout: 'salesforce',
  kind: 'contacts',
  label: 'Salesforce Lead or Contact export',
  columns: contactColumns,
  patterns: [traitsPattern],
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
    const history: { stage: string; at: Date }[] = [];
    if (isLeadExport && createdAt) history.push({ stage: 'lead', at: createdAt });
    if ((converted ?? convertedAt !== undefined) && convertedAt) {
      history.push({ stage: 'sql', at: convertedAt });
      if (row.text('convertedOpportunityId')) history.push({ stage: 'opportunity', at: convertedAt });
    }
    const owner = row.text('owner');
    const contact: ContactRecord = { ref, traits, source };
    if (account) contact.account = account;
    if (owner) contact.ownerRepId = owner;
    if (createdAt) contact.createdAt = createdAt;
    if (history.length > 0) contact.stageHistory = sortStageHistory(history);
    return { ...emptyRecords(), contacts: [contact] };
  },
};

const opportunityColumns: ColumnSpec[] = [
  {
    field: 'dealId',
    type: 'text',
    headers: ['Id', 'Opportunity ID', 'OpportunityId'],
    signatures: ['Id', 'Opportunity ID'],
    description: 'the Opportunity id, stored as `salesforce:<id>`',
  },
  {
    field: 'dealName',
    type: 'text',
    headers: ['Name', 'Opportunity Name'],
    signatures: ['Opportunity Name'],
    description: 'the deal name',
  },
  {
    field: 'dealStage',
    type: 'text',
    headers: ['StageName', 'Stage'],
    signatures: ['StageName'],
    description: 'the stage, as written',
  },
  { field: 'amount', type: 'money', headers: ['Amount'], description: 'the amount' },
  {
    field: 'currency',
    type: 'text',
    headers: ['CurrencyIsoCode', 'Opportunity Currency', 'Currency'],
    signatures: ['CurrencyIsoCode'],
    description: 'ISO currency code',
  },
  {
    field: 'closeDate',
    type: 'calendar-date',
    headers: ['CloseDate', 'Close Date'],
    signatures: ['CloseDate'],
    description: 'expected or actual close',
  },
  {
    field: 'createdAt',
    type: 'date',
    headers: ['CreatedDate', 'Created Date'],
    signatures: ['CreatedDate'],
    description: 'when the opportunity was created',
  },
  { field: 'won', type: 'boolean', headers: ['IsWon', 'Won'], signatures: ['IsWon'], description: 'won' },
  {
    field: 'closed',
    type: 'boolean',
    headers: ['IsClosed', 'Closed'],
    signatures: ['IsClosed'],
    description: 'closed',
  },
  {
    field: 'lossReason',
    type: 'text',
    headers: ['LossReason', 'Loss Reason', 'Loss_Reason__c'],
    signatures: ['LossReason', 'Loss_Reason__c'],
    description: 'the reason of a lost deal, when the org has the field',
  },
  {
    field: 'stageChangedAt',
    type: 'date',
    headers: ['LastStageChangeDate', 'Last Stage Change Date'],
    signatures: ['LastStageChangeDate', 'Last Stage Change Date'],
    description: 'when an open deal entered its stage (adds a stage-changed event)',
  },
  {
    field: 'accountId',
    type: 'text',
    headers: ['AccountId', 'Account ID'],
    signatures: ['AccountId'],
    description: 'the account id, as `salesforce:<id>`',
  },
  {
    field: 'company',
    type: 'text',
    headers: ['Account Name', 'Account.Name'],
    signatures: ['Account.Name'],
    description: 'the account name',
  },
  {
    field: 'crmId',
    type: 'text',
    headers: ['ContactId', 'Contact ID', 'Primary Contact ID'],
    signatures: ['ContactId'],
    description: "the primary contact's id, as `salesforce:<id>`",
  },
  {
    field: 'email',
    type: 'email',
    headers: ['Contact Email', 'Primary Contact Email', 'Email'],
    description: "the primary contact's e-mail",
  },
  {
    field: 'owner',
    type: 'text',
    headers: ['OwnerId', 'Opportunity Owner'],
    signatures: ['Opportunity Owner'],
    description: 'read, not stored',
  },
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
    const money = row.money('amount');
    const currency = row.text('currency') ?? money?.currency;
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
    const dealEvents = snapshotDealEvents({
      dealId: `${source}:${id}`,
      ref: { ...(contactId && { crmId: `${source}:${contactId}` }), ...(email && { email }) },
      source,
      createdAt,
      outcome,
      ...(name && { name }),
      ...(stage && { stage }),
      ...(money && { amount: money.amount }),
      ...(currency && { currency: currency.toUpperCase() }),
      ...(closeAt && { closeDate: toCalendarDate(closeAt) }),
      ...(stageChangedAt && { stageChangedAt }),
      ...(reason && { reason }),
      ...(account && { account }),
    });
    return { ...emptyRecords(), dealEvents };
  },
};

export const salesforceLayouts: LayoutKindSpec[] = [contacts, opportunities];
