import type { Database } from '../../packages/server/src/db/client.ts';
import { execute, type Fragment, queryRows, sql } from './engine-sql.ts';

/**
 * Realistic engine facts, written with set-based SQL (generate_series) instead of the ingestion
 * path, so that millions of them take minutes: accounts (industry, employees), contacts with
 * personal traits (one in five on a free-mail address with some company traits of their own; the
 * contacts trigger logs each into contact_changes), a `user_id` identity per contact (so Segment
 * calls reach them), and activities of every type of the default agreement spread over a year in
 * roughly time order (so `seq` follows time, with up to an hour of disorder), with sales touches
 * two hours after the hand-raising ones (see below), skewed towards a
 * minority of very active contacts (contact = 1 + ⌊C · u²⌋), so caps, group caps and the
 * frequency rule all come into play. Ids are derived from the workspace and a number (md5), so a
 * contact's id is known without reading it back.
 */

const contactsPerEvent = 1 / 20;
const contactsPerAccount = 10;

const titles = [
  'VP of Marketing',
  'Marketing Manager',
  'Director of Demand Generation',
  'Chief Marketing Officer',
  'Head of Sales',
  'Account Executive',
  'Sales Development Representative',
  'Revenue Operations Manager',
  'Senior Director, Revenue Operations',
  'RevOps Lead',
  'Software Engineer',
  'CEO',
  'Co-Founder & CEO',
  'Marketing Intern',
  'Student',
  'VP Sales',
  'Content Marketing Specialist',
  'IT Manager',
  'Executive Assistant to the CEO',
  'Growth Marketer',
  'Director of Finance',
  'Product Manager',
  '',
  'International Sales Director',
  'General Manager, EMEA',
  'Chief of Staff',
  'SVP, Global Marketing',
];
const buyingRoles = ['decision-maker', 'budget-holder', 'influencer', 'user', 'Decision-Maker'];
const industries = [
  'Software',
  'Financial Services',
  'E-commerce',
  'Manufacturing',
  'Healthcare',
  'Education',
  ' software ',
];
const employees: (number | string)[] = [8, 25, 60, 120, 300, 750, 1500, 5000, '2,500'];
const freeDomains = ['gmail.com', 'yahoo.com', 'outlook.com'];
const reps = ['alex', 'sam', 'riley', 'taylor', 'jamie'];

/** The activity mix, per mille: [from, to) of a uniform draw in 0..999. */
const activityMix = [
  { lo: 0, hi: 550, kind: 'page', event: 'Blog', type: 'page-viewed', path: '/blog/post' },
  { lo: 550, hi: 630, kind: 'page', event: 'Pricing', type: 'pricing-viewed', path: '/pricing' },
  { lo: 630, hi: 730, kind: 'track', event: 'Content Downloaded', type: 'content-downloaded', path: null },
  { lo: 730, hi: 850, kind: 'track', event: 'Email Link Clicked', type: 'email-clicked', path: null },
  { lo: 850, hi: 890, kind: 'track', event: 'Form Submitted', type: 'form-submitted', path: null },
  { lo: 890, hi: 920, kind: 'track', event: 'Webinar Registered', type: 'webinar-registered', path: null },
  { lo: 920, hi: 940, kind: 'track', event: 'Webinar Attended', type: 'webinar-attended', path: null },
  { lo: 940, hi: 950, kind: 'track', event: 'Demo Requested', type: 'demo-requested', path: null },
  { lo: 950, hi: 965, kind: 'page', event: 'Careers', type: 'careers-viewed', path: '/careers' },
  { lo: 965, hi: 970, kind: 'track', event: 'Unsubscribed', type: 'unsubscribed', path: null },
  { lo: 970, hi: 1000, kind: 'identify', event: null, type: null, path: null },
];

const json = (value: unknown) => JSON.stringify(value);

export type FillPlan = {
  workspaceId: string;
  events: number;
  /** Activities happen between `startMs` and `endMs` (epoch ms). */
  startMs: number;
  endMs: number;
  /** Rows per statement. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
};

export type Filled = {
  contacts: number;
  accounts: number;
  events: number;
  contactChanges: number;
  touches: number;
};

export function contactIdSql(workspaceId: string, number: Fragment | number): Fragment {
  return sql`md5(${workspaceId} || ':c:' || ${number})::uuid`;
}

/** Fills a workspace with `events` activities and their contacts and accounts. */
export async function fillWorkspace(db: Database, plan: FillPlan): Promise<Filled> {
  const ws = plan.workspaceId;
  const contacts = Math.max(1, Math.round(plan.events * contactsPerEvent));
  const accounts = Math.max(1, Math.round(contacts / contactsPerAccount));
  const chunk = plan.chunk ?? 250_000;
  const startS = plan.startMs / 1000;
  const spanS = (plan.endMs - plan.startMs) / 1000 - 3600;
  const start = new Date(plan.startMs).toISOString();

  for (let from = 1; from <= accounts; from += chunk) {
    const to = Math.min(accounts, from + chunk - 1);
    await execute(
      db,
      sql`insert into accounts (workspace_id, id, domain, name, traits, created_at)
          select ${ws}::uuid, md5(${ws} || ':a:' || g)::uuid, 'co' || g || '.example', 'Company ' || g,
                 jsonb_build_object('name', 'Company ' || g,
                   'industry', ${json(industries)}::jsonb -> (g % ${industries.length}),
                   'employees', ${json(employees)}::jsonb -> ((g * 7) % ${employees.length})),
                 ${start}::timestamptz
            from generate_series(${from}::int, ${to}::int) g`,
    );
  }
  for (let from = 1; from <= contacts; from += chunk) {
    const to = Math.min(contacts, from + chunk - 1);
    await execute(
      db,
      sql`insert into contacts (workspace_id, id, account_id, email, traits, created_at, updated_at)
          select ${ws}::uuid, ${contactIdSql(ws, sql`g`)},
                 case when g % 5 = 0 then null else md5(${ws} || ':a:' || (1 + g % ${accounts}))::uuid end,
                 case when g % 5 = 0 then 'person' || g || '@' || (${json(freeDomains)}::jsonb ->> (g % 3))
                      else 'person' || g || '@co' || (1 + g % ${accounts}) || '.example' end,
                 jsonb_build_object('firstName', 'First' || g, 'lastName', 'Last' || g,
                   'title', ${json(titles)}::jsonb -> ((g * 7) % ${titles.length}),
                   'buyingRole', ${json(buyingRoles)}::jsonb -> ((g * 3) % ${buyingRoles.length}))
                 || case when g % 10 = 0 then jsonb_build_object('employees', ((g / 10) % 1200)::text,
                                                                 'industry', 'Software')
                         when g % 10 = 5 then jsonb_build_object('seniority', 'VP')
                         else '{}'::jsonb end,
                 ${start}::timestamptz, ${start}::timestamptz
            from generate_series(${from}::int, ${to}::int) g`,
    );
    await execute(
      db,
      sql`insert into contact_identities (workspace_id, kind, value, contact_id, created_at)
          select ${ws}::uuid, 'user_id', 'u-' || g, ${contactIdSql(ws, sql`g`)}, ${start}::timestamptz
            from generate_series(${from}::int, ${to}::int) g`,
    );
  }
  // Activities in chunks small enough that each chunk's sales touches follow it closely in `seq`.
  const activityChunk = Math.min(chunk, 10_000);
  for (let from = 1; from <= plan.events; from += activityChunk) {
    const to = Math.min(plan.events, from + activityChunk - 1);
    const before = await lastSeq(db);
    await execute(
      db,
      sql`insert into activities (workspace_id, contact_id, id, message_id, kind, event, activity_type,
                                  occurred_at, received_at, properties, context)
          select ${ws}::uuid, ${contactIdSql(ws, sql`x.c`)}, md5(${ws} || ':e:' || x.g)::uuid, 'fill-' || x.g,
                 t.kind, t.event, t.type, x.at, x.at, '{}'::jsonb,
                 case when t.path is null then '{}'::jsonb
                      else jsonb_build_object('smarketing', jsonb_build_object('path', t.path)) end
            from (select g, 1 + floor(${contacts} * power(random(), 2))::int as c,
                         to_timestamp(${startS} + ${spanS} * (g - 1)::float8 / ${plan.events} + random() * 3600) as at,
                         floor(random() * 1000)::int as r
                    from generate_series(${from}::int, ${to}::int) g) x
            join jsonb_to_recordset(${json(activityMix)}::jsonb)
                 as t(lo int, hi int, kind text, event text, type text, path text)
              on x.r >= t.lo and x.r < t.hi`,
    );
    // Sales follows up hand-raisers: a rep e-mails or calls two hours after every demo request,
    // form and webinar attended, and after one content download in three. Without touches every
    // lead handed to sales would cycle through SLA breaches and reassignments all year.
    await execute(
      db,
      sql`insert into touches (workspace_id, contact_id, id, rep_id, kind, occurred_at, recorded_at, source, external_id)
          select workspace_id, contact_id, md5(id::text || ':touch')::uuid,
                 (${json(reps)}::jsonb ->> (abs(hashtext(id::text)) % ${reps.length})),
                 case when activity_type = 'demo-requested' then 'call' else 'email' end,
                 occurred_at + interval '2 hours', occurred_at + interval '2 hours', 'bench', message_id
            from activities
           where workspace_id = ${ws} and seq > ${before}
             and (activity_type in ('demo-requested', 'form-submitted', 'webinar-attended')
                  or (activity_type = 'content-downloaded' and abs(hashtext(id::text)) % 3 = 0))`,
    );
    if (to % chunk === 0 || to === plan.events) plan.onProgress?.(to, plan.events);
  }
  // One in twenty contacts changed later (a new title): a second contact_changes row each.
  await execute(
    db,
    sql`update contacts set traits = traits || jsonb_build_object('title', 'Director of Marketing'),
               updated_at = ${new Date(plan.endMs).toISOString()}::timestamptz
         where workspace_id = ${ws} and abs(hashtext(id::text)) % 20 = 3`,
  );
  await execute(db, sql`analyze accounts`);
  await execute(db, sql`analyze contacts`);
  await execute(db, sql`analyze contact_changes`);
  await execute(db, sql`analyze contact_identities`);
  await execute(db, sql`analyze activities`);
  await execute(db, sql`analyze touches`);
  const [counts] = await queryRows<{ changes: string | number; touches: string | number }>(
    db,
    sql`select (select count(*) from contact_changes where workspace_id = ${ws}) as changes,
               (select count(*) from touches where workspace_id = ${ws}) as touches`,
  );
  return {
    contacts,
    accounts,
    events: plan.events,
    contactChanges: Number(counts?.changes ?? 0),
    touches: Number(counts?.touches ?? 0),
  };
}

/** The last `seq` handed out (every filled fact is at or below it). */
export async function lastSeq(db: Database): Promise<number> {
  const [row] = await queryRows<{ last_value: string | number }>(db, sql`select last_value from fact_seq`);
  return Number(row?.last_value ?? 0);
}
