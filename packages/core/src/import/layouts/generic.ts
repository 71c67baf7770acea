import { touchKinds } from '../../agreement/agreement-schema.ts';
import {
  type DealEventKind,
  type DealEventRecord,
  dealEventKinds,
  type SegmentMessage,
  type TouchRecord,
} from '../../ingest/records.ts';
import {
  contactRecords,
  latestStageDate,
  readAccount,
  readContactRef,
  readContactTraits,
  readDealMoney,
  snapshotDealEvents,
} from '../build-helpers.ts';
import { column, traitsPattern } from '../layout-columns.ts';
import { type ColumnSpec, emptyRecords, type LayoutKindSpec, type PatternSpec } from '../layout-types.ts';
import { inferTraitValue, normalizeHeader } from '../values.ts';

/**
 * Smarketing's own layout: one documented column name per field (snake_case), for files made
 * by hand, by a script or by another tool. Column names are matched ignoring case, spaces and
 * punctuation (`First Name` is `first_name`). See docs/IMPORT.md.
 */

const identityColumns = (what: string): ColumnSpec[] => [
  column('email', 'email', 'email', `${what}'s e-mail address`),
  column('userId', 'text', 'user_id', `${what}'s user id in your product (Segment userId)`),
  column('anonymousId', 'text', 'anonymous_id', `${what}'s anonymous id (Segment anonymousId)`),
  column('crmId', 'text', 'crm_id', `${what}'s id in the source system, stored as \`<source>:<id>\``),
];

const becamePattern: PatternSpec = {
  pattern: /^became_([a-z0-9][a-z0-9-]*)_at$/i,
  fieldPrefix: 'became.',
  example: 'became_<stage>_at',
  type: 'date',
  description: 'when the contact entered stage <stage> (an agreement stage id): its stage history',
};

const propertiesPattern: PatternSpec = {
  pattern: /^propert(?:y|ies)\.(.+)$/,
  fieldPrefix: 'properties.',
  example: 'properties.<name>',
  type: 'inferred',
  description: 'event property <name>; numbers and true/false are typed',
};

const contactColumns: ColumnSpec[] = [
  ...identityColumns('the contact'),
  column('firstName', 'text', 'first_name', 'trait firstName'),
  column('lastName', 'text', 'last_name', 'trait lastName'),
  column('title', 'text', 'title', 'trait title (job title)', ['job_title']),
  column('phone', 'text', 'phone', 'trait phone'),
  column('company', 'text', 'company', 'trait company and the account name', ['company_name']),
  column('website', 'domain', 'website', 'trait website and the account domain', ['domain']),
  column('industry', 'text', 'industry', 'trait industry'),
  column('employees', 'employees', 'employees', 'trait employees (a number, or a range such as 51-200)'),
  column('annualRevenue', 'number', 'annual_revenue', 'trait annualRevenue'),
  column('country', 'text', 'country', 'trait country'),
  column('state', 'text', 'state', 'trait state'),
  column('city', 'text', 'city', 'trait city'),
  column('leadSource', 'text', 'lead_source', 'trait leadSource', ['source']),
  column('leadSourceDetail', 'text', 'lead_source_detail', 'trait leadSourceDetail'),
  column('leadStatus', 'text', 'lead_status', 'trait leadStatus'),
  column(
    'stage',
    'text',
    'stage',
    'the current stage (an agreement stage id), dated by became_<stage>_at or created_at',
  ),
  column('owner', 'text', 'owner', 'the owning rep id', ['owner_id', 'rep_id']),
  column('createdAt', 'date', 'created_at', 'when the contact was created'),
  column('accountId', 'text', 'account_id', "the account's id in the source, as `<source>:<id>`"),
];

const contacts: LayoutKindSpec = {
  layout: 'generic',
  kind: 'contacts',
  label: 'generic contacts file',
  columns: contactColumns,
  patterns: [
    traitsPattern('trait <name>; numbers and true/false are typed, the rest is text', /^traits?\.(.+)$/),
    becamePattern,
  ],
  required: [
    {
      anyOf: ['email', 'userId', 'anonymousId', 'crmId'],
      why: 'a contact needs email, user_id, anonymous_id or crm_id',
    },
  ],
  produces: ['contacts'],
  defaultSource: 'csv',
  build(row, { source }) {
    const ref = readContactRef(row, source);
    const traits = readContactTraits(row);
    const createdAt = row.date('createdAt');
    const account = readAccount(row, source);
    const stageHistory: { stage: string; at: Date }[] = [];
    for (const [stage] of row.prefixed('became.')) {
      const at = row.date(`became.${stage}`);
      if (at) stageHistory.push({ stage: stage.toLowerCase(), at });
    }
    const stage = row.text('stage')?.toLowerCase();
    if (stage && !stageHistory.some((entry) => entry.stage === stage)) {
      const latest = latestStageDate(stageHistory, createdAt);
      if (latest) stageHistory.push({ stage, at: latest });
      else if (!row.failed())
        row.fail(
          'missing-value',
          `stage ${stage} needs a date: fill created_at or became_${stage}_at`,
          'stage',
        );
    }
    if (!ref || row.failed()) return emptyRecords();
    return contactRecords(row, { ref, traits, source, account, createdAt, stageHistory });
  },
};

const touchColumns: ColumnSpec[] = [
  column(
    'touchId',
    'text',
    'touch_id',
    "the touch's id in the source (else one is derived from the row's content)",
  ),
  ...identityColumns('the contact'),
  column('rep', 'text', 'rep_id', 'the rep who made the touch (an agreement rep id; blank: the --rep)', [
    'rep',
    'owner',
  ]),
  column('touchKind', 'text', 'kind', `${touchKinds.join(', ')}`, ['touch_kind', 'channel']),
  column('occurredAt', 'date', 'occurred_at', 'when it happened', ['timestamp', 'date']),
  column('outcome', 'text', 'outcome', 'free text: connected, voicemail, meeting-booked…'),
];

const touches: LayoutKindSpec = {
  layout: 'generic',
  kind: 'touches',
  label: 'generic touches file',
  columns: touchColumns,
  required: [
    {
      anyOf: ['email', 'userId', 'anonymousId', 'crmId'],
      why: 'a touch needs its contact: email, user_id, anonymous_id or crm_id',
    },
    { anyOf: ['rep'], why: 'a touch needs rep_id' },
    { anyOf: ['touchKind'], why: 'a touch needs kind' },
    { anyOf: ['occurredAt'], why: 'a touch needs occurred_at' },
  ],
  produces: ['touches'],
  defaultSource: 'csv',
  build(row, { source, rep, sha256Hex }) {
    const ref = readContactRef(row, source);
    const repId = row.text('rep') ?? rep ?? row.required('rep');
    const kindText = row.required('touchKind')?.toLowerCase();
    const kind = touchKinds.find((k) => k === kindText);
    if (kindText && !kind)
      row.fail('invalid-value', `"${kindText}" is not a touch kind (${touchKinds.join(', ')})`, 'touchKind');
    const occurredAt = row.requiredDate('occurredAt');
    const outcome = row.text('outcome');
    if (!ref || !repId || !kind || !occurredAt || row.failed()) return emptyRecords();
    const externalId =
      row.text('touchId') ??
      sha256Hex(JSON.stringify([ref, repId, kind, occurredAt.toISOString(), outcome ?? null])).slice(0, 32);
    const touch: TouchRecord = { ref, repId, kind, occurredAt, externalId, source };
    if (outcome) touch.outcome = outcome;
    return { ...emptyRecords(), touches: [touch] };
  },
};

const activityColumns: ColumnSpec[] = [
  column(
    'messageId',
    'text',
    'message_id',
    'the Segment messageId (else one is derived from the row content)',
    ['event_id'],
  ),
  column('email', 'email', 'email', "the contact's e-mail (context.traits.email)"),
  column('userId', 'text', 'user_id', 'Segment userId'),
  column('anonymousId', 'text', 'anonymous_id', 'Segment anonymousId'),
  column('type', 'text', 'type', 'track (default) or page'),
  column('event', 'text', 'event', 'the event name of a track (Webinar Attended), the page name of a page', [
    'event_name',
    'name',
  ]),
  column('occurredAt', 'date', 'occurred_at', 'when it happened', ['timestamp']),
  column('path', 'text', 'path', 'page path, e.g. /pricing'),
  column('url', 'text', 'url', 'page URL'),
  column('pageTitle', 'text', 'page_title', 'page title'),
];

const activities: LayoutKindSpec = {
  layout: 'generic',
  kind: 'activities',
  label: 'generic activities file',
  columns: activityColumns,
  patterns: [propertiesPattern],
  required: [
    {
      anyOf: ['email', 'userId', 'anonymousId'],
      why: 'an activity needs its contact: email, user_id or anonymous_id',
    },
    { anyOf: ['event', 'path', 'url'], why: 'an activity needs event (or path/url for pages)' },
    { anyOf: ['occurredAt'], why: 'an activity needs occurred_at' },
  ],
  produces: ['messages'],
  defaultSource: 'csv',
  build(row, { source, sha256Hex }) {
    const email = row.email('email');
    const userId = row.text('userId');
    const anonymousIdText = row.text('anonymousId');
    const type = (row.text('type') ?? 'track').toLowerCase();
    if (type !== 'track' && type !== 'page')
      row.fail('invalid-value', `type must be track or page, not "${type}"`, 'type');
    const event = row.text('event');
    const path = row.text('path');
    const url = row.text('url');
    if (type === 'track' && !event && !row.failed())
      row.fail('missing-value', 'a track activity needs its event name', 'event');
    if (type === 'page' && !event && !path && !url && !row.failed()) {
      row.fail('missing-value', 'a page activity needs a path, url or name', 'path');
    }
    const occurredAt = row.requiredDate('occurredAt');
    if (!email && !userId && !anonymousIdText && !row.failed()) {
      row.fail('missing-identity', 'names no contact: email, user_id and anonymous_id are blank');
    }
    const properties: Record<string, unknown> = {};
    for (const [name, text] of row.prefixed('properties.')) properties[name] = inferTraitValue(text);
    if (path) properties.path = path;
    if (url) properties.url = url;
    const title = row.text('pageTitle');
    if (title) properties.title = title;
    if (!occurredAt || row.failed()) return emptyRecords();

    // Segment needs userId or anonymousId; a row known by e-mail only gets a stable anonymous id.
    const anonymousId = anonymousIdText ?? (userId ? undefined : `${source}:${email}`);
    const timestamp = occurredAt.toISOString();
    const messageId =
      row.text('messageId') ??
      `${source}-${sha256Hex(JSON.stringify([userId ?? null, anonymousId ?? null, email ?? null, type, event ?? null, timestamp, properties])).slice(0, 32)}`;
    const message: SegmentMessage = {
      type,
      messageId,
      ...(userId && { userId }),
      ...(anonymousId && { anonymousId }),
      ...(type === 'track' ? { event } : event ? { name: event } : {}),
      timestamp,
      properties,
      context: email ? { traits: { email } } : {},
    };
    return { ...emptyRecords(), messages: [message] };
  },
};

const dealColumns: ColumnSpec[] = [
  column('dealId', 'text', 'deal_id', "the deal's id in the source, stored as `<source>:<id>`"),
  ...identityColumns("the deal's contact"),
  column('dealName', 'text', 'name', 'the deal name', ['deal_name']),
  column('dealStage', 'text', 'stage', 'the deal stage in your CRM', ['deal_stage']),
  column('status', 'text', 'status', 'open, won or lost (else won/lost stage names decide)'),
  column('amount', 'money', 'amount', 'the amount: 12,500.00, $12,500, 12.500,00 €'),
  column('currency', 'text', 'currency', 'ISO currency code'),
  column('closeDate', 'calendar-date', 'close_date', 'expected (open) or actual (won/lost) close date'),
  column('createdAt', 'date', 'created_at', 'when the deal was created'),
  column('lossReason', 'text', 'loss_reason', 'why it was lost', ['reason']),
  column('stageChangedAt', 'date', 'stage_changed_at', 'when an open deal entered its stage'),
  column('accountId', 'text', 'account_id', "the account's id in the source"),
  column('company', 'text', 'company', 'the account name', ['account', 'account_name']),
  column(
    'dealEvent',
    'text',
    'event',
    `one event per row instead of one deal per row: ${dealEventKinds.join(', ')}`,
  ),
  column('occurredAt', 'date', 'occurred_at', 'when the event happened (with event)'),
];

function dealOutcome(
  status: string | undefined,
  stage: string | undefined,
): 'open' | 'won' | 'lost' | undefined {
  if (status !== undefined) {
    const value = status.toLowerCase();
    return value === 'open' || value === 'won' || value === 'lost' ? value : undefined;
  }
  const normalized = stage ? normalizeHeader(stage) : '';
  if (normalized === 'won' || normalized === 'closedwon') return 'won';
  if (normalized === 'lost' || normalized === 'closedlost') return 'lost';
  return 'open';
}

const deals: LayoutKindSpec = {
  layout: 'generic',
  kind: 'deals',
  label: 'generic deals file',
  columns: dealColumns,
  required: [
    { anyOf: ['dealId'], why: 'a deal needs deal_id' },
    {
      anyOf: ['email', 'userId', 'anonymousId', 'crmId'],
      why: 'a deal needs its contact: email, user_id, anonymous_id or crm_id',
    },
    { anyOf: ['createdAt', 'occurredAt'], why: 'a deal needs created_at (or event and occurred_at)' },
  ],
  produces: ['dealEvents'],
  defaultSource: 'csv',
  build(row, { source }) {
    const id = row.required('dealId');
    const ref = readContactRef(row, source);
    const name = row.text('dealName');
    const stage = row.text('dealStage');
    const { amount, currency } = readDealMoney(row);
    const closeDate = row.calendarDate('closeDate');
    const reason = row.text('lossReason');
    const account = readAccount(row, source);
    const dealId = `${source}:${id}`;

    const eventText = row.text('dealEvent');
    if (row.has('dealEvent')) {
      const kind = dealEventKinds.find((k) => k === eventText?.toLowerCase()) as DealEventKind | undefined;
      if (!eventText) row.fail('missing-value', 'the event column is blank', 'dealEvent');
      else if (!kind)
        row.fail(
          'invalid-value',
          `"${eventText}" is not a deal event (${dealEventKinds.join(', ')})`,
          'dealEvent',
        );
      const occurredAt = row.requiredDate('occurredAt');
      if (!id || !ref || !kind || !occurredAt || row.failed()) return emptyRecords();
      const event: DealEventRecord = {
        ref,
        dealId,
        kind,
        occurredAt,
        externalId: `${dealId}:${kind}:${kind === 'stage-changed' ? `${stage ?? ''}:` : ''}${occurredAt.toISOString()}`,
        source,
        ...(name && { name }),
        ...(account && { account }),
        ...(stage && { stage }),
        ...(amount !== undefined && { amount }),
        ...(currency && { currency }),
        ...(closeDate && { closeDate }),
        ...(reason && { reason }),
      };
      return { ...emptyRecords(), dealEvents: [event] };
    }

    const status = row.text('status');
    const outcome = dealOutcome(status, stage);
    if (!outcome) row.fail('invalid-value', `status must be open, won or lost, not "${status}"`, 'status');
    const createdAt = row.requiredDate('createdAt');
    if (outcome && outcome !== 'open' && !closeDate && !row.failed()) {
      row.fail('missing-value', `a ${outcome} deal needs close_date`, 'closeDate');
    }
    const stageChangedAt = row.date('stageChangedAt');
    if (!id || !ref || !outcome || !createdAt || row.failed()) return emptyRecords();
    return snapshotDealEvents({
      dealId,
      ref,
      source,
      createdAt,
      outcome,
      name,
      stage,
      amount,
      currency,
      closeDate,
      stageChangedAt,
      reason,
      account,
    });
  },
};

export const genericLayouts: LayoutKindSpec[] = [contacts, activities, touches, deals];
