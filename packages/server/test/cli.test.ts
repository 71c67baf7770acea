import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** The real `smarketing` bin, run as a user would, on a temporary folder and data directory. */
const bin = fileURLToPath(new URL('../bin/smarketing.js', import.meta.url));
const run = promisify(execFile);
let folder: string;

type Result = { code: number; stdout: string; stderr: string };

async function smarketing(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: folder,
      env: { ...process.env, DATABASE_URL: '', SMARKETING_DATA_DIR: join(folder, 'data'), LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'smarketing-cli-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('smarketing init and check', () => {
  test('init writes a commented default that check accepts with a summary', async () => {
    const init = await smarketing('init');
    expect(init.code).toBe(0);
    expect(await readFile(join(folder, 'smarketing.yaml'), 'utf8')).toMatch(/^#/m);

    const check = await smarketing('check');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('smarketing.yaml is valid.');
    expect(check.stdout).toMatch(/mql/i);
  });

  test('init refuses to overwrite without --force', async () => {
    const again = await smarketing('init');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  test('check names the file, line and column of each problem and exits 1', async () => {
    const original = await readFile(join(folder, 'smarketing.yaml'), 'utf8');
    await writeFile(join(folder, 'broken.yaml'), original.replace('halfLifeDays: 30', 'halfLifeDays: -1'));
    const check = await smarketing('check', 'broken.yaml');
    expect(check.code).toBe(1);
    const line = original.split('\n').findIndex((text) => text.includes('halfLifeDays: 30')) + 1;
    expect(check.stdout).toMatch(new RegExp(`broken\\.yaml:${line}:\\d+ interest\\.halfLifeDays`));
  });

  test('check --json prints parseable results', async () => {
    const check = await smarketing('check', '--json');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, file: 'smarketing.yaml' });
  });

  test('a missing file is exit 1 with a hint, a wrong command line exit 2', async () => {
    const missing = await smarketing('check', 'nope.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml does not exist');
    expect((await smarketing('frobnicate')).code).toBe(2);
    expect((await smarketing('token', 'create', '--name', 'x')).code).toBe(2);
  });
});

describe('smarketing workspace, agreement and token', () => {
  test('apply, list, show and diff versions on the embedded database', async () => {
    expect((await smarketing('migrate')).code).toBe(0);
    const noWorkspace = await smarketing('agreement', 'list');
    expect(noWorkspace.code).toBe(1);
    expect(noWorkspace.stderr).toContain('smarketing workspace create');

    const created = await smarketing('workspace', 'create', 'Acme Inc.', '--json');
    expect(created.code).toBe(0);
    const workspace = JSON.parse(created.stdout) as {
      slug: string;
      adminToken: string;
      agreementVersion: number;
    };
    expect(workspace).toMatchObject({ slug: 'acme-inc', agreementVersion: 1 });
    expect(workspace.adminToken).toMatch(/^smk_/);

    const original = await readFile(join(folder, 'smarketing.yaml'), 'utf8');
    await writeFile(
      join(folder, 'faster.yaml'),
      original.replace('firstTouchWithin: 24h', 'firstTouchWithin: 8h'),
    );
    const applied = await smarketing(
      'agreement',
      'apply',
      'faster.yaml',
      '--note',
      'faster first touch',
      '--by',
      'ana',
    );
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('as version 2');
    const again = await smarketing('agreement', 'apply', 'faster.yaml');
    expect(again.stdout).toContain('identical to version 2');

    const list = JSON.parse((await smarketing('agreement', 'list', '--json')).stdout) as {
      versions: { version: number; appliedBy: string; note: string | null }[];
    };
    expect(list.versions.map((v) => [v.version, v.appliedBy, v.note])).toEqual([
      [1, expect.stringMatching(/^cli/), 'default agreement'],
      [2, 'ana', 'faster first touch'],
    ]);

    const diff = await smarketing('agreement', 'diff', '1', '2');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/firstTouchWithin: 24h → 8h/);

    const show = await smarketing('agreement', 'show', '2');
    expect(show.stdout).toContain('firstTouchWithin: 8h');
    expect((await smarketing('agreement', 'show', '7')).code).toBe(1);

    const broken = await smarketing('agreement', 'apply', 'broken.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('nothing was applied');
    expect(JSON.parse((await smarketing('agreement', 'list', '--json')).stdout).versions).toHaveLength(2);
  }, 60_000);

  test('token create prints a token once; list shows only its prefix; revoke', async () => {
    const created = JSON.parse(
      (await smarketing('token', 'create', '--role', 'sales', '--name', 'Bo', '--json')).stdout,
    ) as {
      id: string;
      token: string;
      prefix: string;
    };
    expect(created.token).toMatch(/^smk_/);
    const list = await smarketing('token', 'list');
    expect(list.stdout).toContain(`smk_${created.prefix}_…`);
    expect(list.stdout).not.toContain(created.token);
    expect((await smarketing('token', 'create', '--role', 'root', '--name', 'x')).stderr).toContain(
      'Unknown role "root"',
    );
    expect((await smarketing('token', 'revoke', created.id)).code).toBe(0);
    expect((await smarketing('token', 'revoke', created.id)).code).toBe(1);
  }, 60_000);
});

describe('smarketing import', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/import/${name}`, import.meta.url));

  test('imports a HubSpot export, and importing it again changes nothing', async () => {
    const first = await smarketing(
      'import',
      fixture('hubspot-contacts.csv'),
      '--json',
      '--rejects',
      join(folder, 'r1.csv'),
    );
    expect(first.code).toBe(0);
    type Summary = {
      layout: string;
      rows: { total: number; skipped: number };
      records: { contacts: { created: number; updated: number; duplicates: number } };
    };
    const summary = JSON.parse(first.stdout) as Summary;
    expect(summary.layout).toBe('hubspot');
    expect(summary.rows).toMatchObject({ total: 9, skipped: 2 });
    expect(summary.records.contacts.created).toBe(7);
    expect(await readFile(join(folder, 'r1.csv'), 'utf8')).toContain('missing-identity');
    const again = JSON.parse(
      (
        await smarketing(
          'import',
          fixture('hubspot-contacts.csv'),
          '--json',
          '--rejects',
          join(folder, 'r2.csv'),
        )
      ).stdout,
    ) as Summary;
    expect(again.records.contacts).toMatchObject({ created: 0, updated: 0, duplicates: 7 });
  }, 60_000);

  test('refuses a malformed file with row numbers and stores nothing', async () => {
    const before = JSON.parse((await smarketing('agreement', 'list', '--json')).stdout);
    const result = await smarketing('import', fixture('malformed-column-count.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/row \d+|line \d+/i);
    expect(JSON.parse((await smarketing('agreement', 'list', '--json')).stdout)).toEqual(before);
  }, 60_000);
});

describe('smarketing simulate', () => {
  test('stores a small simulated company straight into the database, once', async () => {
    const first = JSON.parse(
      (await smarketing('simulate', '--direct', '--contacts', '40', '--months', '2', '--seed', '3', '--json'))
        .stdout,
    ) as { accepted: number; duplicates: number; facts: { total: number } };
    expect(first.accepted).toBe(first.facts.total);
    const again = JSON.parse(
      (await smarketing('simulate', '--direct', '--contacts', '40', '--months', '2', '--seed', '3', '--json'))
        .stdout,
    ) as { accepted: number; duplicates: number };
    expect(again).toMatchObject({ accepted: 0, duplicates: first.accepted });
  }, 60_000);
});
