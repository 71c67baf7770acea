import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { AppError } from '../../app-error.ts';
import { type Database, openDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { createIngestWriter, type IngestWriter } from '../../ingest/ingest-writer.ts';
import { createLogger } from '../../log.ts';
import { createRepositories } from '../../repositories/index.ts';
import { getContact } from '../facts/get-contact.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { type ImportCsvOptions, type ImportProgress, importCsv } from './import-csv.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/import/', import.meta.url));
const now = new Date('2027-03-01T12:00:00Z');

// The storage runs on both databases (the import COPYs through each driver): PGlite, and the
// throwaway PostgreSQL of postgres-global-setup.ts or one given by the environment.
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
const databases: [string, () => Promise<Database>][] = [['PGlite', () => openDatabase({ memory: true })]];
if (databaseUrl) databases.push(['PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 })]);

describe.each(databases)('importCsv on %s', (_label, open) => {
  let deps: {
    database: Database;
    clock: () => Date;
    ingest: IngestWriter;
    log: ReturnType<typeof createLogger>;
  };
  let folder: string;
  let workspaces = 0;

  beforeAll(async () => {
    const database = await open();
    await migrateDatabase(database);
    const clock = () => now;
    const log = createLogger('silent');
    deps = { database, clock, log, ingest: createIngestWriter({ database, clock, log }) };
    folder = await mkdtemp(join(tmpdir(), 'smarketing-import-'));
  });

  afterAll(async () => {
    await deps.ingest.close();
    await deps.database.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function newWorkspace(): Promise<string> {
    workspaces += 1;
    return (await createWorkspace({ name: `Import ${workspaces} ${randomUUID()}`, createdBy: 'test' }, deps))
      .workspaceId;
  }

  /** A copy of a fixture in the temporary folder, so rejects files land there. */
  async function copyOf(fixture: string): Promise<string> {
    const target = join(folder, `${workspaces}-${fixture.replaceAll('/', '-')}`);
    await copyFile(join(fixtures, fixture), target);
    return target;
  }

  function run(workspaceId: string, file: string, options: Partial<ImportCsvOptions> = {}) {
    return importCsv({ workspaceId, file, ...options }, deps);
  }

  async function contactByEmail(workspaceId: string, email: string) {
    return createRepositories(deps.database.db).contacts.findByIdentity(workspaceId, 'email', email);
  }

  test.each<[string, Partial<ImportCsvOptions>, { layout: string; rows: object; records: object }]>([
    [
      'hubspot-contacts.csv',
      {},
      {
        layout: 'hubspot/contacts',
        rows: { total: 9, mapped: 7, skipped: 2, rejected: 0 },
        records: { contacts: { created: 7, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'hubspot-contacts-internal.csv',
      {},
      {
        layout: 'hubspot/contacts',
        rows: { total: 3, mapped: 3, skipped: 0, rejected: 0 },
        records: { contacts: { created: 3, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'hubspot-deals.csv',
      {},
      {
        layout: 'hubspot/deals',
        rows: { total: 5, mapped: 4, skipped: 1, rejected: 0 },
        records: { dealEvents: { created: 6, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'salesforce-leads.csv',
      {},
      {
        layout: 'salesforce/contacts',
        rows: { total: 5, mapped: 4, skipped: 1, rejected: 0 },
        records: { contacts: { created: 4, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'salesforce-leads-report.csv',
      {},
      {
        layout: 'salesforce/contacts',
        rows: { total: 3, mapped: 3, skipped: 0, rejected: 0 },
        records: { contacts: { created: 3, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'salesforce-opportunities.csv',
      {},
      {
        layout: 'salesforce/deals',
        rows: { total: 4, mapped: 3, skipped: 1, rejected: 0 },
        records: { dealEvents: { created: 5, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'generic-contacts.csv',
      {},
      {
        layout: 'generic/contacts',
        rows: { total: 4, mapped: 3, skipped: 1, rejected: 0 },
        records: { contacts: { created: 3, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'generic-touches.csv',
      {},
      {
        layout: 'generic/touches',
        rows: { total: 5, mapped: 4, skipped: 1, rejected: 1 },
        records: { touches: { created: 3, duplicates: 0, rejected: 1 } },
      },
    ],
    [
      'generic-activities.csv',
      {},
      {
        layout: 'generic/activities',
        rows: { total: 4, mapped: 3, skipped: 1, rejected: 0 },
        records: { activities: { created: 3, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'generic-deals.csv',
      {},
      {
        layout: 'generic/deals',
        rows: { total: 3, mapped: 3, skipped: 0, rejected: 0 },
        records: { dealEvents: { created: 5, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'bom-crlf-quoted.csv',
      {},
      {
        layout: 'generic/contacts',
        rows: { total: 4, mapped: 3, skipped: 1, rejected: 0 },
        records: { contacts: { created: 3, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'malformed-bad-date.csv',
      {},
      {
        layout: 'generic/contacts',
        rows: { total: 4, mapped: 2, skipped: 2, rejected: 0 },
        records: { contacts: { created: 2, updated: 0, duplicates: 0, rejected: 0 } },
      },
    ],
    [
      'bank-marketing/bank-additional-sample.csv',
      { rep: 'alex' },
      {
        layout: 'bank-marketing/contacts',
        rows: { total: 200, mapped: 200, skipped: 0, rejected: 0 },
        records: {
          contacts: { created: 200, updated: 0, duplicates: 0, rejected: 0 },
          touches: { created: 243, duplicates: 0, rejected: 0 },
          dealEvents: { created: 12, duplicates: 0, rejected: 0 },
        },
      },
    ],
    [
      'maven-crm/sales_pipeline.csv',
      {},
      {
        layout: 'maven-crm/deals',
        rows: { total: 205, mapped: 205, skipped: 0, rejected: 0 },
        records: {
          contacts: { created: 205, updated: 0, duplicates: 0, rejected: 0 },
          dealEvents: { created: 582, duplicates: 0, rejected: 0 },
        },
      },
    ],
  ])(
    'imports %s with the expected counts, and a second time changes nothing',
    async (fixture, options, expected) => {
      const workspaceId = await newWorkspace();
      const file = join(fixtures, fixture);
      const first = await run(workspaceId, file, { ...options, rejectsFile: null });
      expect({ layout: `${first.layout}/${first.kind}`, rows: first.rows, records: first.records }).toEqual(
        expected,
      );

      const second = await run(workspaceId, file, { ...options, rejectsFile: null });
      for (const counts of Object.values(second.records)) {
        expect(counts.created).toBe(0);
        if (counts.updated !== undefined) expect(counts.updated).toBe(0);
      }
      expect(second.rows).toEqual(first.rows);
    },
  );

  test('stores what the rows say: traits, account, stage history, touches and deals', async () => {
    const workspaceId = await newWorkspace();
    await run(workspaceId, join(fixtures, 'hubspot-contacts.csv'), { rejectsFile: null });
    await run(workspaceId, join(fixtures, 'hubspot-deals.csv'), { rejectsFile: null });
    const maria = await contactByEmail(workspaceId, 'maria.johnson@northwind.io');
    expect(maria?.traits).toMatchObject({ firstName: 'Maria', employees: 250, ownerRepId: 'Alex Rivera' });
    const view = await getContact({ workspaceId, contactId: maria?.id ?? '' }, deps);
    expect(view.account).toMatchObject({ name: 'Northwind Analytics', domain: 'northwind.io' });
    expect(view.transitions.map((t) => t.toStage)).toEqual([
      'subscriber',
      'lead',
      'mql',
      'sql',
      'opportunity',
      'customer',
    ]);
    expect(view.deals).toEqual([
      expect.objectContaining({ name: 'Northwind Analytics - Platform', status: 'won', amount: '24000.00' }),
    ]);
    // The deals file names Maria by her HubSpot id only: the same contact.
    const byCrmId = await createRepositories(deps.database.db).contacts.findByIdentity(
      workspaceId,
      'crm_id',
      'hubspot:51',
    );
    expect(byCrmId?.id).toBe(maria?.id);
  });

  test('writes skipped and rejected rows with their reason and original cells to the rejects file', async () => {
    const workspaceId = await newWorkspace();
    const file = await copyOf('generic-touches.csv');
    const result = await run(workspaceId, file);
    expect(result.rejectsFile).toBe(`${file}.rejects.csv`);
    const rejects = (await readFile(`${file}.rejects.csv`, 'utf8')).replace(/^\uFEFF/, '').split('\r\n');
    expect(rejects).toEqual([
      'row,column,code,reason,touch_id,email,rep_id,kind,occurred_at,outcome',
      '5,kind,invalid-value,"""carrier pigeon"" is not a touch kind (call, email, meeting, sms, social)",t-4,ben@globex.example,sam,carrier pigeon,2024-02-11 15:00,',
      '6,,UNKNOWN_REP,"repId ""nobody-we-know"" is not a rep of a sales team in the agreement; known reps: alex, sam, riley, taylor, jamie.",t-5,cleo@initech.example,nobody-we-know,call,2024-02-12 09:00,voicemail',
      '',
    ]);
    expect(result.reasons.map((r) => [r.code, r.rows])).toEqual([
      ['invalid-value', 1],
      ['UNKNOWN_REP', 1],
    ]);
  });

  test('leaves no rejects file when every row is imported', async () => {
    const workspaceId = await newWorkspace();
    const file = await copyOf('generic-deals.csv');
    const result = await run(workspaceId, file);
    expect(result.rejectsFile).toBeUndefined();
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
  });

  test.each([
    [
      'malformed-column-count.csv',
      {},
      ['row 3: has 3 fields where the header has 4', 'row 5: has 5 fields where the header has 4'],
    ],
    ['malformed-missing-column.csv', {}, ['row 1: a touch needs occurred_at']],
    ['not-utf8.csv', {}, ['row 3: the file is not UTF-8']],
    ['ambiguous-dates.csv', {}, ['row 2: every date like "03/04/2024" reads both month first and day first']],
    ['generic-contacts.csv', { layout: 'hubspot', kind: 'deals' }, ['row 1: a deal needs Record ID']],
  ] as const)('imports nothing from %s and names the rows at fault', async (fixture, options, messages) => {
    const workspaceId = await newWorkspace();
    const file = await copyOf(fixture);
    const failure = await run(workspaceId, file, options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('VALIDATION_FAILED');
    for (const message of messages) expect((failure as AppError).message).toContain(message);
    expect((failure as AppError).message).toContain('nothing was imported');
    expect(await contactByEmail(workspaceId, 'ada@acme.example')).toBeUndefined();
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
  });

  test('imports dates that cannot be told apart once --date-format says how', async () => {
    const workspaceId = await newWorkspace();
    const result = await run(workspaceId, join(fixtures, 'ambiguous-dates.csv'), {
      dateFormat: 'DD/MM/YYYY',
      rejectsFile: null,
    });
    expect(result.records.contacts?.created).toBe(3);
    const ada = await contactByEmail(workspaceId, 'ada@acme.example');
    expect(ada?.createdAt).toEqual(new Date('2024-04-03T00:00:00Z'));
  });

  test('reads a day-first file day first when one date proves it', async () => {
    const workspaceId = await newWorkspace();
    const result = await run(workspaceId, join(fixtures, 'day-first-dates.csv'), { rejectsFile: null });
    expect(result.dateFormat).toBe('DD/MM/YYYY');
    expect(result.warnings).toEqual([
      'dates are written day first (e.g. row 3: 25/06/2024 14:30); read as DD/MM/YYYY',
    ]);
    expect((await contactByEmail(workspaceId, 'ada@acme.example'))?.createdAt).toEqual(
      new Date('2024-04-03T00:00:00Z'),
    );
  });

  test('stores a fact a chunk names twice once, for a new contact as for a known one', async () => {
    const workspaceId = await newWorkspace();
    const file = join(folder, `${workspaces}-twice.csv`);
    await writeFile(
      file,
      [
        'touch_id,email,rep_id,kind,occurred_at,outcome',
        't-1,ada@acme.example,alex,call,2024-02-02T10:00:00Z,connected',
        't-1,ada@acme.example,alex,call,2024-02-02T10:00:00Z,connected',
        't-2,ada@acme.example,alex,email,2024-02-03T11:30:00Z,',
        '',
      ].join('\n'),
    );
    // Ada is new: her touches are COPYed, the second t-1 left out as ON CONFLICT would.
    const first = await run(workspaceId, file, { rejectsFile: null });
    expect(first.records.touches).toEqual({ created: 2, duplicates: 1, rejected: 0 });
    const again = await run(workspaceId, file, { rejectsFile: null });
    expect(again.records.touches).toEqual({ created: 0, duplicates: 3, rejected: 0 });
  });

  test('counts what a dry run would do and stores nothing', async () => {
    const workspaceId = await newWorkspace();
    const file = await copyOf('hubspot-contacts.csv');
    const dry = await run(workspaceId, file, { dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.records.contacts).toEqual({ created: 7, updated: 0, duplicates: 0, rejected: 0 });
    expect(dry.rejectsFile).toBeUndefined();
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);
    expect(await contactByEmail(workspaceId, 'maria.johnson@northwind.io')).toBeUndefined();

    const real = await run(workspaceId, file);
    expect(real.records.contacts).toEqual(dry.records.contacts);
  });

  test('follows a --map file', async () => {
    const workspaceId = await newWorkspace();
    const map = {
      text: await readFile(join(fixtures, 'legacy-crm.map.yaml'), 'utf8'),
      name: 'legacy-crm.map.yaml',
    };
    const result = await run(workspaceId, join(fixtures, 'legacy-crm.csv'), { map, rejectsFile: null });
    expect([result.layout, result.source, result.delimiter, result.chosenBy]).toEqual([
      'generic',
      'legacy-crm',
      '|',
      'map',
    ]);
    expect(result.ignored).toEqual([{ header: 'Internal notes', why: 'left out by the map' }]);
    const ben = await contactByEmail(workspaceId, 'ben@globex.example');
    expect(ben?.createdAt).toEqual(new Date('2024-02-03T14:30:00Z'));
    expect(ben?.traits).toMatchObject({ firstName: 'Ben', plan: 'free' });
  });

  test('rejects a map that is not valid', async () => {
    const workspaceId = await newWorkspace();
    const failure = await run(workspaceId, join(fixtures, 'legacy-crm.csv'), {
      map: { text: 'columns: [email]', name: 'bad.yaml' },
    }).catch((error: unknown) => error);
    expect((failure as AppError).message).toMatch(/^The map bad.yaml is not valid:/);
  });

  test('reports progress through both passes', async () => {
    const workspaceId = await newWorkspace();
    const seen: ImportProgress[] = [];
    await run(workspaceId, join(fixtures, 'maven-crm/sales_pipeline.csv'), {
      rejectsFile: null,
      batchSize: 50,
      onProgress: (progress) => seen.push(progress),
    });
    expect(seen.filter((p) => p.phase === 'checking').at(-1)).toMatchObject({ rows: 205 });
    const importing = seen.filter((p) => p.phase === 'importing');
    expect(importing.map((p) => p.rows)).toEqual([50, 100, 150, 200, 205]);
    expect(importing.at(-1)?.bytes).toBe(importing.at(-1)?.totalBytes);
  });
});
