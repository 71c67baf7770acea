import { describe, expect, test } from 'vitest';
import { type ColumnMap, parseColumnMap } from './column-map.ts';
import type { ImportKind, LayoutId } from './layout-types.ts';
import { type ImportPlan, planImport } from './plan-import.ts';

const csv = (line: string) => line.split(',');

/** Headers as the real tools export them. */
const headers = {
  hubspotContactLabels: csv(
    'Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,Number of Employees,Industry,Country/Region,Lifecycle Stage,Lead Status,Original Source,Contact owner,Create Date,Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Customer Date',
  ),
  hubspotContactNames: csv(
    'hs_object_id,firstname,lastname,email,jobtitle,company,numemployees,industry,country,lifecyclestage,hs_lead_status,hs_analytics_source,hubspot_owner_id,createdate,hs_lifecyclestage_lead_date,hs_lifecyclestage_marketingqualifiedlead_date',
  ),
  hubspotDealLabels: csv(
    'Record ID,Deal Name,Deal Stage,Pipeline,Amount,Close Date,Create Date,Deal owner,Closed Lost Reason,Associated Contact IDs,Associated Contact,Associated Company',
  ),
  hubspotDealNames: csv(
    'hs_object_id,dealname,dealstage,pipeline,amount,closedate,createdate,hubspot_owner_id,closed_lost_reason,hs_is_closed_won,Associated Contact IDs',
  ),
  salesforceLeads: csv(
    'Id,FirstName,LastName,Email,Company,Title,LeadSource,Status,Industry,NumberOfEmployees,Country,IsConverted,ConvertedDate,ConvertedContactId,CreatedDate,OwnerId',
  ),
  salesforceLeadReport: csv(
    'First Name,Last Name,Title,Company / Account,Email,Lead Source,Lead Status,Lead Owner,Created Date,Converted,Converted Date',
  ),
  salesforceContacts: csv(
    'Id,FirstName,LastName,Email,AccountId,Title,MailingCountry,LeadSource,OwnerId,CreatedDate',
  ),
  salesforceOpportunities: csv(
    'Id,Name,StageName,Amount,CloseDate,IsWon,IsClosed,AccountId,CreatedDate,ContactId,LossReason',
  ),
  genericContacts: csv(
    'email,user_id,first_name,last_name,company,employees,stage,created_at,became_mql_at,traits.plan',
  ),
  genericTouches: csv('touch_id,email,rep_id,kind,occurred_at,outcome'),
  genericActivities: csv('email,user_id,type,event,occurred_at,path,properties.webinar'),
  genericDeals: csv('deal_id,email,name,stage,status,amount,close_date,created_at'),
  bankMarketing: csv(
    'age,job,marital,education,default,housing,loan,contact,month,day_of_week,duration,campaign,pdays,previous,poutcome,emp.var.rate,cons.price.idx,cons.conf.idx,euribor3m,nr.employed,y',
  ),
  mavenPipeline: csv(
    'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value',
  ),
};

function planOf(input: Parameters<typeof planImport>[0]): ImportPlan {
  const result = planImport(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

describe('planImport detection', () => {
  test.each<[keyof typeof headers, LayoutId, ImportKind]>([
    ['hubspotContactLabels', 'hubspot', 'contacts'],
    ['hubspotContactNames', 'hubspot', 'contacts'],
    ['hubspotDealLabels', 'hubspot', 'deals'],
    ['hubspotDealNames', 'hubspot', 'deals'],
    ['salesforceLeads', 'salesforce', 'contacts'],
    ['salesforceLeadReport', 'salesforce', 'contacts'],
    ['salesforceContacts', 'salesforce', 'contacts'],
    ['salesforceOpportunities', 'salesforce', 'deals'],
    ['genericContacts', 'generic', 'contacts'],
    ['genericTouches', 'generic', 'touches'],
    ['genericActivities', 'generic', 'activities'],
    ['genericDeals', 'generic', 'deals'],
    ['bankMarketing', 'bank-marketing', 'contacts'],
    ['mavenPipeline', 'maven-crm', 'deals'],
  ])('detects the %s header as %s %s', (name, layout, kind) => {
    const plan = planOf({ header: headers[name] });
    expect({ layout: plan.layout, kind: plan.kind, chosenBy: plan.chosenBy }).toEqual({
      layout,
      kind,
      chosenBy: 'detection',
    });
  });

  test('explains the score of every candidate, best first', () => {
    const plan = planOf({ header: headers.hubspotContactLabels });
    const [best, runnerUp] = plan.candidates;
    expect(best?.explanation).toBe(
      'HubSpot contacts export (--layout hubspot --kind contacts): score 36 = 18 known columns + 2 × 9 typical of hubspot ("Record ID", "Country/Region", "Lifecycle Stage", "Original Source", …)',
    );
    expect(best?.score).toBeGreaterThan(runnerUp?.score ?? 0);
    expect(plan.candidates.find((c) => c.layout === 'hubspot' && c.kind === 'deals')?.unmet).toEqual([
      'a deal needs Deal Stage',
    ]);
  });

  test('tells Salesforce API names from HubSpot internal names by their spelling', () => {
    const salesforce = planOf({ header: csv('Id,FirstName,LastName,Email,CreatedDate') });
    const hubspot = planOf({ header: csv('hs_object_id,firstname,lastname,email,createdate') });
    expect([salesforce.layout, hubspot.layout]).toEqual(['salesforce', 'hubspot']);
  });

  test('maps each column to a field and says why the others are left out', () => {
    const plan = planOf({ header: headers.bankMarketing });
    expect(plan.columns.find((c) => c.header === 'y')).toEqual({
      index: 20,
      header: 'y',
      field: 'subscribed',
    });
    expect(plan.ignored.map((c) => c.header)).toEqual([
      'duration',
      'emp.var.rate',
      'cons.conf.idx',
      'euribor3m',
      'nr.employed',
    ]);
    expect(plan.ignored[0]?.why).toMatch(/gives the outcome away/);
  });

  test('falls back to the generic layout when no CRM header is typical', () => {
    const plan = planOf({ header: csv('Email,Name,Company') });
    expect([plan.layout, plan.kind]).toEqual(['generic', 'contacts']);
  });

  test('uses the layout-specific source and reference files', () => {
    const plan = planOf({ header: headers.mavenPipeline });
    expect(plan.source).toBe('maven-crm');
    expect(plan.references.map((r) => r.fileName)).toEqual(['accounts.csv', 'sales_teams.csv']);
    expect(plan.produces).toEqual(['contacts', 'dealEvents']);
  });
});

describe('planImport errors', () => {
  test.each<[string, Parameters<typeof planImport>[0], string, RegExp]>([
    ['an unknown header', { header: csv('foo,bar,baz') }, 'unknown-layout', /no layout fits this header/],
    ['a blank header', { header: ['', ' '] }, 'empty-file', /no header row/],
    [
      'a reference file of a data set',
      { header: csv('account,sector,year_established,revenue,employees,office_location,subsidiary_of') },
      'unknown-layout',
      /accounts\.csv, which the maven-crm layout reads beside its main file/,
    ],
    [
      'a touches file without dates',
      { header: csv('touch_id,email,rep_id,kind,outcome') },
      'missing-column',
      /a touch needs occurred_at \(the header looks like a generic touches file/,
    ],
    [
      'a named layout without a required column',
      { header: csv('Record ID,Deal Name,Amount'), layout: 'hubspot', kind: 'deals' },
      'missing-column',
      /a deal needs Deal Stage/,
    ],
    [
      'a kind the layout does not read',
      { header: headers.salesforceLeads, layout: 'salesforce', kind: 'activities' },
      'unsupported-kind',
      /the salesforce layout reads contacts and deals, not activities/,
    ],
  ])('reports %s', (_name, input, code, message) => {
    const result = planImport(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toEqual({ row: 1, code, message: expect.stringMatching(message) });
  });

  test('warns when two columns give one field and uses the first', () => {
    const plan = planOf({
      header: csv('email,Email Address,first_name'),
      layout: 'generic',
      kind: 'contacts',
    });
    expect(plan.columns.map((c) => c.header)).toEqual(['email', 'first_name']);
    expect(plan.warnings).toEqual([]);
    const duplicate = planOf({ header: csv('email,EMAIL,first_name') });
    expect(duplicate.warnings).toEqual(['columns "email" and "EMAIL" both give email; the first is used']);
    expect(duplicate.ignored).toEqual([{ index: 1, header: 'EMAIL', why: '"email" already gives email' }]);
  });
});

describe('planImport with a map', () => {
  const mapOf = (text: string): ColumnMap => {
    const parsed = parseColumnMap(text);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return parsed.map;
  };
  const legacy = ['E-mail Address', 'Given name', 'Surname', 'Signed up', 'Plan', 'Internal notes'];

  test('maps the columns it names over detection, in YAML', () => {
    const map = mapOf(`
layout: generic
kind: contacts
source: legacy-crm
dateFormat: DD/MM/YYYY
columns:
  "E-mail Address": email
  "Given name": first_name
  Surname: lastName
  "Signed up": created_at
  Plan: traits.plan
  "Internal notes": ignore
  "Lead score": traits.score
`);
    const plan = planOf({ header: legacy, map });
    expect(plan.chosenBy).toBe('map');
    expect(plan.columns.map((c) => `${c.header} → ${c.field}`)).toEqual([
      'E-mail Address → email',
      'Given name → firstName',
      'Surname → lastName',
      'Signed up → createdAt',
      'Plan → traits.plan',
    ]);
    expect(plan.ignored).toEqual([{ index: 5, header: 'Internal notes', why: 'left out by the map' }]);
    expect([plan.source, plan.dateFormat]).toEqual(['legacy-crm', 'DD/MM/YYYY']);
    expect(plan.warnings).toEqual(['the map names "Lead score", which the file does not have']);
  });

  test('lets command-line options win over the map, in JSON', () => {
    const map = mapOf('{"source": "legacy-crm", "columns": {"E-mail Address": "email"}}');
    const plan = planOf({ header: legacy, map, source: 'old-crm', dateFormat: 'MM/DD/YYYY' });
    expect([plan.layout, plan.kind, plan.source, plan.dateFormat]).toEqual([
      'generic',
      'contacts',
      'old-crm',
      'MM/DD/YYYY',
    ]);
  });

  test('rejects a target that is not a field of the layout', () => {
    const map = mapOf('layout: generic\nkind: contacts\ncolumns:\n  "E-mail Address": e_mail_addr\n');
    const result = planImport({ header: legacy, map });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        row: 1,
        code: 'invalid-map',
        message:
          'the map sends "E-mail Address" to "e_mail_addr", which is not a field of the generic contacts file (see docs/IMPORT.md)',
      },
    ]);
  });
});

describe('parseColumnMap', () => {
  test.each([
    ['columns: [a, b]', /columns/],
    ['layout: pipedrive\ncolumns: {}', /layout/],
    ['columns: {}\nextra: 1', /extra/],
    ['columns: {a: 1', /not valid YAML or JSON/],
  ])('reports the problem of %j', (text, problem) => {
    const parsed = parseColumnMap(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join('\n')).toMatch(problem);
  });
});
