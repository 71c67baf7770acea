import { describe, expect, test } from 'vitest';
import { sha256Hex } from './hash.ts';
import type { ImportKind, LayoutId, MappedRecords, ReferenceTable, RowError } from './layout-types.ts';
import { bankMarketingDate } from './layouts/bank-marketing.ts';
import { hubspotDealStage, hubspotLifecycleStage } from './layouts/hubspot.ts';
import { createRowMapper, type RowMapper, type RowMapperOptions } from './map-row.ts';
import { planImport } from './plan-import.ts';

const at = (iso: string) => new Date(iso);

type Setup = {
  header: string;
  layout?: LayoutId;
  kind?: ImportKind;
  rep?: string;
  references?: Record<string, ReferenceTable>;
};

/** A mapper for a header written as one comma-separated line (no quoting needed in these tests). */
function mapperFor(setup: Setup): RowMapper {
  const planned = planImport({
    header: setup.header.split(','),
    layout: setup.layout,
    kind: setup.kind,
    rep: setup.rep,
  });
  if (!planned.ok) throw new Error(JSON.stringify(planned.errors));
  return createRowMapper(planned.plan, { references: setup.references ?? {} });
}

function records(setup: Setup, row: string, line = 2): MappedRecords {
  const result = mapperFor(setup).mapRow(row.split(','), line);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.records;
}

function rowError(setup: Setup, row: string, line = 2): RowError | undefined {
  const result = mapperFor(setup).mapRow(row.split(','), line);
  return result.ok ? undefined : result.error;
}

const hubspotContacts =
  'Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,Number of Employees,Industry,Country/Region,Lifecycle Stage,Original Source,Contact owner,Create Date,Became a Subscriber Date,Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Customer Date,Became an Evangelist Date';

describe('HubSpot contacts', () => {
  test('maps a labelled export row to a contact with its stage history', () => {
    const mapped = records(
      { header: hubspotContacts },
      '51,Maria,Johnson,Maria.Johnson@Northwind.io,VP Revenue Operations,Northwind Analytics,https://www.northwind.io,250,Computer Software,United States,Customer,Organic Search,Alex Rivera,2024-01-08 14:02,,2024-01-15 09:30,2024-02-02 16:45,2024-04-18 17:20,',
    );
    expect(mapped).toEqual({
      contacts: [
        {
          ref: { crmId: 'hubspot:51', email: 'maria.johnson@northwind.io' },
          traits: {
            firstName: 'Maria',
            lastName: 'Johnson',
            title: 'VP Revenue Operations',
            company: 'Northwind Analytics',
            industry: 'Computer Software',
            country: 'United States',
            leadSource: 'Organic Search',
            lifecycleStage: 'Customer',
            employees: 250,
            website: 'https://www.northwind.io',
          },
          account: { name: 'Northwind Analytics', domain: 'northwind.io', traits: {} },
          ownerRepId: 'Alex Rivera',
          createdAt: at('2024-01-08T14:02:00Z'),
          stageHistory: [
            { stage: 'lead', at: at('2024-01-15T09:30:00Z') },
            { stage: 'mql', at: at('2024-02-02T16:45:00Z') },
            { stage: 'customer', at: at('2024-04-18T17:20:00Z') },
          ],
          source: 'hubspot',
        },
      ],
      touches: [],
      dealEvents: [],
      messages: [],
    });
  });

  test('reads internal names, epoch milliseconds and size ranges', () => {
    const mapped = records(
      {
        header:
          'hs_object_id,email,numemployees,lifecyclestage,createdate,hs_lifecyclestage_lead_date,hs_lifecyclestage_marketingqualifiedlead_date',
      },
      '101,grace@cobol.example,25-50,marketingqualifiedlead,1704708000000,1704708000000,1706870700000',
    );
    const [contact] = mapped.contacts;
    expect(contact?.ref).toEqual({ crmId: 'hubspot:101', email: 'grace@cobol.example' });
    expect(contact?.traits).toMatchObject({ employees: 25, employeesRange: '25-50' });
    expect(contact?.stageHistory).toEqual([
      { stage: 'lead', at: at('2024-01-08T10:00:00Z') },
      { stage: 'mql', at: at('2024-02-02T10:45:00Z') },
    ]);
  });

  test('dates a current stage without its "Became a" date at the latest date the row knows', () => {
    const mapped = records(
      { header: hubspotContacts },
      '60,Ana,Souza,ana@fabrikam.example,,,,,,,Sales Qualified Lead,,,2024-03-10 07:05,,2024-03-10 07:05,2024-03-12 08:00,,',
    );
    expect(mapped.contacts[0]?.stageHistory).toEqual([
      { stage: 'lead', at: at('2024-03-10T07:05:00Z') },
      { stage: 'mql', at: at('2024-03-12T08:00:00Z') },
      { stage: 'sql', at: at('2024-03-12T08:00:00Z') },
    ]);
  });

  test('counts an evangelist as a customer from the evangelist date when no customer date exists', () => {
    const mapped = records(
      { header: hubspotContacts },
      '56,Lena,Fischer,lena@adventure.example,,,,,,,Evangelist,,,2023-11-30 10:00,,,,,2024-05-01 09:00',
    );
    expect(mapped.contacts[0]?.stageHistory).toEqual([{ stage: 'customer', at: at('2024-05-01T09:00:00Z') }]);
  });

  test.each([
    ['subscriber', 'subscriber'],
    ['lead', 'lead'],
    ['marketingqualifiedlead', 'mql'],
    ['Marketing Qualified Lead', 'mql'],
    ['salesqualifiedlead', 'sql'],
    ['Sales Qualified Lead', 'sql'],
    ['opportunity', 'opportunity'],
    ['customer', 'customer'],
    ['evangelist', 'customer'],
    ['other', null],
    ['1234567', undefined],
  ])('maps lifecycle stage %j to %j', (value, stage) => {
    expect(hubspotLifecycleStage(value)).toBe(stage);
  });

  test.each([
    ['Appointment Scheduled', 'appointmentscheduled'],
    ['Decision Maker Bought-In', 'decisionmakerboughtin'],
    ['closedwon', 'closedwon'],
    ['Custom Stage 7', 'Custom Stage 7'],
  ])('maps deal stage %j to %j', (value, stage) => {
    expect(hubspotDealStage(value)).toBe(stage);
  });
});

const hubspotDeals =
  'Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Closed Lost Reason,Associated Contact IDs,Associated Contact,Associated Company';

describe('HubSpot deals', () => {
  test('turns a won deal into created and won events with stable external ids', () => {
    const mapped = records(
      { header: hubspotDeals },
      '9001,Northwind - Platform,Closed Won,24000,2024-04-18 17:20,2024-02-20 11:00,,51;52,Maria Johnson (maria@northwind.io),Northwind',
    );
    const common = {
      ref: { crmId: 'hubspot:51', email: 'maria@northwind.io' },
      dealId: 'hubspot:9001',
      source: 'hubspot',
      name: 'Northwind - Platform',
      account: { name: 'Northwind', traits: {} },
      amount: '24000',
      closeDate: '2024-04-18',
    };
    expect(mapped.dealEvents).toEqual([
      {
        ...common,
        kind: 'created',
        occurredAt: at('2024-02-20T11:00:00Z'),
        externalId: 'hubspot:9001:created',
      },
      {
        ...common,
        kind: 'won',
        stage: 'closedwon',
        occurredAt: at('2024-04-18T17:20:00Z'),
        externalId: 'hubspot:9001:won',
      },
    ]);
  });

  test.each([
    [
      'an open deal keeps its stage on the created event',
      'Presentation Scheduled',
      '',
      [['created', 'presentationscheduled']],
    ],
    [
      'a lost deal carries its reason',
      'Closed Lost',
      'Chose a competitor',
      [
        ['created', undefined],
        ['lost', 'closedlost'],
      ],
    ],
  ])('%s', (_name, stage, reason, expected) => {
    const mapped = records(
      { header: hubspotDeals },
      `9002,Deal,${stage},5000,2024-06-30 00:00,2024-03-05 09:00,${reason},52,,`,
    );
    expect(mapped.dealEvents.map((e) => [e.kind, e.stage])).toEqual(expected);
    if (reason) expect(mapped.dealEvents[1]?.reason).toBe(reason);
  });
});

describe('Salesforce', () => {
  const leads =
    'Id,FirstName,LastName,Email,Company,LeadSource,Status,NumberOfEmployees,IsConverted,ConvertedDate,ConvertedContactId,ConvertedOpportunityId,CreatedDate,OwnerId';

  test('puts a converted lead through lead, sql and opportunity', () => {
    const mapped = records(
      { header: leads },
      '00Q5e00000AbCdEAAV,Priya,Raman,priya@globex.example,Globex,Web,Closed - Converted,850,true,2024-03-04,0035e00000XyZ12AAB,0065e00000Opp01AAA,2024-02-01T14:03:22.000Z,0055e00000Rep01AAA',
    );
    expect(mapped.contacts[0]).toEqual({
      ref: { crmId: 'salesforce:00Q5e00000AbCdEAAV', email: 'priya@globex.example' },
      traits: {
        firstName: 'Priya',
        lastName: 'Raman',
        company: 'Globex',
        leadSource: 'Web',
        leadStatus: 'Closed - Converted',
        employees: 850,
        converted: true,
        convertedContactId: 'salesforce:0035e00000XyZ12AAB',
      },
      account: { name: 'Globex', traits: {} },
      ownerRepId: '0055e00000Rep01AAA',
      createdAt: at('2024-02-01T14:03:22Z'),
      stageHistory: [
        { stage: 'lead', at: at('2024-02-01T14:03:22Z') },
        { stage: 'sql', at: at('2024-03-04T00:00:00Z') },
        { stage: 'opportunity', at: at('2024-03-04T00:00:00Z') },
      ],
      source: 'salesforce',
    });
  });

  test('leaves an unconverted lead in stage lead', () => {
    const mapped = records(
      { header: leads },
      '00Q5e00000AbCdFAAV,Marco,Rossi,marco@initech.example,Initech,Trade Show,Working - Contacted,120,false,,,,2024-02-14T09:00:00.000Z,',
    );
    expect(mapped.contacts[0]?.stageHistory).toEqual([{ stage: 'lead', at: at('2024-02-14T09:00:00Z') }]);
  });

  test.each([
    [
      'IsWon and IsClosed',
      'Id,StageName,Amount,CloseDate,IsWon,IsClosed,CreatedDate,ContactId',
      'Negotiation,100,2024-05-30,true,true',
      'won',
    ],
    [
      'IsClosed without IsWon',
      'Id,StageName,Amount,CloseDate,IsWon,IsClosed,CreatedDate,ContactId',
      'Closed Lost,100,2024-05-30,false,true',
      'lost',
    ],
    [
      'the stage name alone',
      'Id,StageName,Amount,CloseDate,CreatedDate,ContactId',
      'Closed Won,100,2024-05-30',
      'won',
    ],
    [
      'an open stage',
      'Id,StageName,Amount,CloseDate,CreatedDate,ContactId',
      'Prospecting,100,2024-09-30',
      'created',
    ],
  ])('reads the outcome of an opportunity from %s', (_name, header, middle, last) => {
    const mapped = records({ header }, `006A,${middle},2024-03-04T10:00:00.000Z,003B`);
    expect(mapped.dealEvents.at(-1)?.kind).toBe(last);
    expect(mapped.dealEvents[0]?.ref).toEqual({ crmId: 'salesforce:003B' });
  });
});

describe('generic layout', () => {
  test('dates the current stage and keeps traits.<name> columns typed', () => {
    const mapped = records(
      { header: 'email,user_id,stage,created_at,became_lead_at,traits.plan,traits.seats,traits.trial' },
      'ada@acme.example,u-1,mql,2024-01-10,2024-01-10,pro,25,true',
    );
    expect(mapped.contacts[0]).toMatchObject({
      ref: { email: 'ada@acme.example', userId: 'u-1' },
      traits: { plan: 'pro', seats: 25, trial: true },
      stageHistory: [
        { stage: 'lead', at: at('2024-01-10T00:00:00Z') },
        { stage: 'mql', at: at('2024-01-10T00:00:00Z') },
      ],
      source: 'csv',
    });
  });

  test('derives the same external id for the same touch, whatever its line', () => {
    const setup = { header: 'email,rep_id,kind,occurred_at,outcome' };
    const row = 'ada@acme.example,alex,call,2024-02-02T10:00:00Z,connected';
    const first = records(setup, row, 2).touches[0];
    const again = records(setup, row, 40).touches[0];
    const other = records(setup, row.replace('10:00', '11:00'), 2).touches[0];
    expect(first?.externalId).toMatch(/^[0-9a-f]{32}$/);
    expect(again?.externalId).toBe(first?.externalId);
    expect(other?.externalId).not.toBe(first?.externalId);
  });

  test('uses --rep for touches whose rep cell is blank', () => {
    const mapped = records(
      { header: 'touch_id,email,rep_id,kind,occurred_at', rep: 'sam' },
      't-9,ada@acme.example,,email,2024-02-02',
    );
    expect(mapped.touches[0]).toMatchObject({ repId: 'sam', externalId: 't-9', kind: 'email' });
  });

  test('turns activities into Segment track and page messages with deterministic ids', () => {
    const setup = { header: 'email,user_id,type,event,occurred_at,path,properties.webinar' };
    const track = records(
      setup,
      'ada@acme.example,u-1,track,Webinar Attended,2024-01-20T16:00:00Z,,Pipeline 101',
    ).messages[0];
    expect(track).toEqual({
      type: 'track',
      messageId: expect.stringMatching(/^csv-[0-9a-f]{32}$/),
      userId: 'u-1',
      event: 'Webinar Attended',
      timestamp: '2024-01-20T16:00:00.000Z',
      properties: { webinar: 'Pipeline 101' },
      context: { traits: { email: 'ada@acme.example' } },
    });
    const page = records(setup, 'ben@globex.example,,page,Pricing,2024-01-21T08:12:00Z,/pricing,')
      .messages[0];
    expect(page).toMatchObject({
      type: 'page',
      name: 'Pricing',
      anonymousId: 'csv:ben@globex.example',
      properties: { path: '/pricing' },
    });
    const again = records(
      setup,
      'ada@acme.example,u-1,track,Webinar Attended,2024-01-20T16:00:00Z,,Pipeline 101',
      9,
    );
    expect(again.messages[0]?.messageId).toBe(track?.messageId);
  });

  test('reads one deal event per row when the file has an event column', () => {
    const mapped = records(
      { header: 'deal_id,email,event,stage,amount,occurred_at' },
      'D-7,ada@acme.example,stage-changed,Proposal,9000,2024-03-01T10:00:00Z',
    );
    expect(mapped.dealEvents).toEqual([
      {
        ref: { email: 'ada@acme.example' },
        dealId: 'csv:D-7',
        kind: 'stage-changed',
        stage: 'Proposal',
        amount: '9000',
        occurredAt: at('2024-03-01T10:00:00Z'),
        externalId: 'csv:D-7:stage-changed:Proposal:2024-03-01T10:00:00.000Z',
        source: 'csv',
      },
    ]);
  });
});

const bankHeader =
  'age,job,marital,education,default,housing,loan,contact,month,day_of_week,duration,campaign,pdays,previous,poutcome,emp.var.rate,cons.price.idx,cons.conf.idx,euribor3m,nr.employed,y';

describe('bank-marketing', () => {
  test('maps a client to a contact and one call touch, without the duration', () => {
    const mapped = records(
      { header: bankHeader },
      '56,housemaid,married,basic.4y,no,no,no,telephone,may,mon,261,1,999,0,nonexistent,1.1,93.994,-36.4,4.857,5191,no',
    );
    const digest = mapped.contacts[0]?.ref.crmId?.replace('bank-marketing:', '') ?? '';
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    const ref = { crmId: `bank-marketing:${digest}` };
    expect(mapped.contacts).toEqual([
      {
        ref,
        traits: {
          age: 56,
          job: 'housemaid',
          marital: 'married',
          education: 'basic.4y',
          creditDefault: 'no',
          housingLoan: 'no',
          personalLoan: 'no',
          contactChannel: 'telephone',
          previousCampaignContacts: 0,
          previousCampaignOutcome: 'nonexistent',
        },
        createdAt: at('2008-05-05T00:00:00Z'),
        stageHistory: [{ stage: 'lead', at: at('2008-05-05T00:00:00Z') }],
        source: 'bank-marketing',
      },
    ]);
    expect(mapped.touches).toEqual([
      {
        ref,
        repId: 'call-centre',
        kind: 'call',
        occurredAt: at('2008-05-05T00:00:00Z'),
        outcome: 'not-subscribed',
        externalId: `${digest}:call-1`,
        source: 'bank-marketing',
      },
    ]);
    expect(mapped.dealEvents).toEqual([]);
  });

  test('makes a subscription a won deal and every call of the campaign a touch', () => {
    const mapped = records(
      { header: bankHeader, rep: 'alex' },
      '41,management,married,university.degree,no,yes,no,cellular,nov,thu,380,3,6,2,success,-3.4,92.649,-30.1,0.715,5017.5,yes',
      9,
    );
    expect(mapped.contacts[0]?.traits).toMatchObject({
      daysSincePreviousCampaign: 6,
      previousCampaignOutcome: 'success',
    });
    expect(mapped.contacts[0]?.traits).not.toHaveProperty('duration');
    const dealId = mapped.contacts[0]?.ref.crmId ?? '';
    const digest = dealId.replace('bank-marketing:', '');
    expect(mapped.touches.map((t) => [t.repId, t.externalId, t.outcome])).toEqual([
      ['alex', `${digest}:call-1`, undefined],
      ['alex', `${digest}:call-2`, undefined],
      ['alex', `${digest}:call-3`, 'subscribed'],
    ]);
    expect(mapped.dealEvents.map((e) => [e.kind, e.dealId, e.occurredAt.toISOString()])).toEqual([
      ['created', dealId, '2009-11-05T00:00:00.000Z'],
      ['won', dealId, '2009-11-05T00:00:00.000Z'],
    ]);
  });

  test('knows a client by the content of its row, wherever the row is, and tells identical rows apart', () => {
    const row =
      '37,services,married,high.school,no,yes,no,telephone,may,mon,226,1,999,0,nonexistent,1.1,93.994,-36.4,4.857,5191,no';
    const other = row.replace('37,services', '40,admin.');
    const mapper = mapperFor({ header: bankHeader });
    const idOf = (text: string, line: number) => {
      const result = mapper.mapRow(text.split(','), line);
      return result.ok ? result.records.contacts[0]?.ref.crmId : undefined;
    };
    const first = idOf(row, 2);
    expect([idOf(other, 3), idOf(row, 4), idOf(row, 5)]).toEqual([
      expect.not.stringMatching(first ?? ''),
      `${first}-2`,
      `${first}-3`,
    ]);
    expect(mapperFor({ header: bankHeader }).mapRow(row.split(','), 900)).toMatchObject({
      records: { contacts: [{ ref: { crmId: first } }] },
    });
  });

  test('digests a row with the SHA-256 it is given, the same as its own', () => {
    const row =
      '37,services,married,high.school,no,yes,no,telephone,may,mon,226,1,999,0,nonexistent,1.1,93.994,-36.4,4.857,5191,no'.split(
        ',',
      );
    const planned = planImport({ header: bankHeader.split(',') });
    if (!planned.ok) throw new Error(JSON.stringify(planned.errors));
    const crmIdOf = (options: RowMapperOptions) => {
      const result = createRowMapper(planned.plan, options).mapRow(row, 2);
      return result.ok ? result.records.contacts[0]?.ref.crmId : undefined;
    };
    const given: string[] = [];
    const ownDigest = crmIdOf({});
    const counted = (text: string) => {
      given.push(text);
      return sha256Hex(text);
    };
    expect(crmIdOf({ sha256Hex: counted })).toBe(ownDigest);
    expect(given).toEqual([JSON.stringify(row)]);
  });

  test.each([
    ['may', 'mon', 93.994, '2008-05-05'],
    ['may', 'fri', 93.994, '2008-05-02'],
    ['mar', 'wed', 92.843, '2009-03-04'],
    ['nov', 'tue', 94.767, '2010-11-02'],
    ['jun', 'mon', 93.994, undefined],
    ['may', 'mon', 90.1, undefined],
  ])('dates %s/%s with index %d as %s', (month, weekday, index, day) => {
    expect(bankMarketingDate(month, weekday, index)?.toISOString().slice(0, 10)).toBe(day);
  });
});

describe('maven-crm', () => {
  const header = 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value';
  const references: Record<string, ReferenceTable> = {
    accounts: {
      header: [
        'account',
        'sector',
        'year_established',
        'revenue',
        'employees',
        'office_location',
        'subsidiary_of',
      ],
      rows: [['Isdom', 'technolgy', '2002', '3178.24', '4540', 'United States', '']],
    },
    teams: {
      header: ['sales_agent', 'manager', 'regional_office'],
      rows: [['Darcel Schlecht', 'Melvin Marxen', 'Central']],
    },
  };

  test('maps a won opportunity to its buyer contact and four deal events, joined to the reference files', () => {
    const mapped = records(
      { header, references },
      'Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,2016-10-25,2017-03-11,4514',
    );
    const account = {
      crmId: 'maven-crm:account:isdom',
      name: 'Isdom',
      traits: {
        industry: 'technology',
        employees: 4540,
        annualRevenue: 3178240000,
        country: 'United States',
        yearEstablished: 2002,
      },
    };
    expect(mapped.contacts).toEqual([
      {
        ref: { crmId: 'maven-crm:Z063OYW0' },
        traits: {
          company: 'Isdom',
          product: 'GTX Pro',
          industry: 'technology',
          employees: 4540,
          annualRevenue: 3178240000,
          country: 'United States',
          salesAgent: 'Darcel Schlecht',
          salesManager: 'Melvin Marxen',
          regionalOffice: 'Central',
        },
        account,
        ownerRepId: 'darcel-schlecht',
        createdAt: at('2016-10-25T00:00:00Z'),
        source: 'maven-crm',
      },
    ]);
    expect(
      mapped.dealEvents.map((e) => [e.kind, e.stage, e.occurredAt.toISOString().slice(0, 10), e.amount]),
    ).toEqual([
      ['created', 'Prospecting', '2016-10-25', undefined],
      ['stage-changed', 'Engaging', '2016-10-25', undefined],
      ['won', 'Won', '2017-03-11', '4514'],
    ]);
    expect(mapped.dealEvents.map((e) => e.externalId)).toEqual([
      'maven-crm:Z063OYW0:created',
      'maven-crm:Z063OYW0:stage:Engaging',
      'maven-crm:Z063OYW0:won',
    ]);
  });

  test('dates an undated Prospecting row at the snapshot day and keeps a blank account blank', () => {
    const mapped = records({ header, references }, '6CWZFOHJ,Anna Snelling,GTX Basic,,Prospecting,,,');
    expect(mapped.contacts[0]).toEqual({
      ref: { crmId: 'maven-crm:6CWZFOHJ' },
      traits: { product: 'GTX Basic', salesAgent: 'Anna Snelling' },
      ownerRepId: 'anna-snelling',
      createdAt: at('2017-12-31T00:00:00Z'),
      source: 'maven-crm',
    });
    expect(mapped.dealEvents.map((e) => e.kind)).toEqual(['created']);
  });
});

describe('row errors', () => {
  test.each<[string, Setup, string, Partial<RowError>]>([
    [
      'no contact named',
      { header: 'email,user_id,first_name' },
      ',,Tom',
      { code: 'missing-identity', message: 'names no contact: email, user_id are blank' },
    ],
    [
      'an invalid e-mail',
      { header: 'email,first_name' },
      'tom(at)example.com,Tom',
      { code: 'invalid-email', column: 'email' },
    ],
    [
      'a bad date',
      { header: 'email,created_at' },
      'tom@example.com,2024-02-30',
      { code: 'invalid-date', column: 'created_at' },
    ],
    [
      'a bad size',
      { header: 'email,employees' },
      'tom@example.com,lots',
      { code: 'invalid-number', column: 'employees' },
    ],
    [
      'a bad boolean',
      { header: 'Id,Email,IsConverted,CreatedDate' },
      '00Q1,tom@example.com,perhaps,2024-01-01',
      { code: 'invalid-boolean', column: 'IsConverted' },
    ],
    [
      'a blank required date',
      { header: hubspotDeals },
      '9009,Deal,Closed Won,100,2024-04-18,,,51,,',
      { code: 'missing-value', column: 'Create Date' },
    ],
    [
      'a won deal without close date',
      { header: hubspotDeals },
      '9009,Deal,Closed Won,100,,2024-04-01,,51,,',
      { code: 'missing-value', column: 'Close Date' },
    ],
    [
      'a bad amount',
      { header: hubspotDeals },
      '9009,Deal,Closed Won,a lot,2024-04-18,2024-04-01,,51,,',
      { code: 'invalid-number', column: 'Amount' },
    ],
    [
      'an unknown touch kind',
      { header: 'email,rep_id,kind,occurred_at' },
      'tom@example.com,alex,fax,2024-01-01',
      { code: 'invalid-value', column: 'kind' },
    ],
    [
      'an Engaging opportunity without engage date',
      { header: 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value' },
      'X1,Anna Snelling,GTX Basic,,Engaging,,,',
      { code: 'missing-value', column: 'engage_date' },
    ],
    [
      'an unknown month index in the bank data',
      { header: bankHeader },
      '56,housemaid,married,basic.4y,no,no,no,telephone,may,mon,261,1,999,0,nonexistent,1.1,99.9,-36.4,4.857,5191,no',
      { code: 'invalid-date', column: 'cons.price.idx' },
    ],
    [
      'an empty row',
      { header: 'email,first_name' },
      ' , ',
      { code: 'empty-row', message: 'the row is empty' },
    ],
  ])('skips a row with %s', (_name, setup, row, expected) => {
    expect(rowError(setup, row, 7)).toMatchObject({ row: 7, ...expected });
  });
});

describe('date order evidence', () => {
  test('collects how slash dates read, with the first example of each', () => {
    const mapper = mapperFor({ header: 'email,created_at' });
    mapper.mapRow(['a@x.example', '03/04/2024'], 2);
    mapper.mapRow(['b@x.example', '25/06/2024'], 3);
    mapper.mapRow(['c@x.example', '2024-06-25'], 4);
    mapper.mapRow(['d@x.example', '04/05/2024'], 5);
    expect(mapper.dateOrderEvidence()).toEqual({
      dayFirst: 1,
      monthFirst: 0,
      ambiguous: 2,
      examples: { ambiguous: { row: 2, text: '03/04/2024' }, dayFirst: { row: 3, text: '25/06/2024' } },
    });
  });
});
