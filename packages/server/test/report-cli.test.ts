import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** `smarketing report`, run as a user would, on a temporary PGlite data folder. */
// Every run starts a process and opens PGlite: seconds each, more on a busy machine.
const slow = 180_000;
const bin = fileURLToPath(new URL('../bin/smarketing.js', import.meta.url));
const run = promisify(execFile);
let folder: string;

async function smarketing(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  folder = await mkdtemp(join(tmpdir(), 'smarketing-report-cli-'));
  const created = await smarketing('workspace', 'create', 'Acme');
  expect(created.code).toBe(0);
}, slow);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('smarketing report', () => {
  test(
    'prints a report as JSON, CSV with its definitions, or a table',
    async () => {
      const json = await smarketing(
        'report',
        'funnel',
        '--from',
        '2027-03',
        '--to',
        '2027-04',
        '--segment',
        'source=webinar',
        '--json',
      );
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        report: 'funnel',
        filters: { source: 'webinar' },
        agreementVersion: 1,
        period: { from: '2027-03-01T05:00:00.000Z' },
      });

      const csv = await smarketing('report', 'lead-flow', '--from', '2027-03', '--to', '2027-05', '--csv');
      expect(csv.code).toBe(0);
      const lines = csv.stdout.trimEnd().split('\r\n').join('\n').split('\n');
      expect(lines[0]).toMatch(/^# lead-flow from 2027-03-01T05:00:00.000Z to 2027-05-01T04:00:00.000Z/);
      expect(lines.some((line) => line.startsWith('# leads: '))).toBe(true);
      // No deal was won yet: expected value uses the agreement's average deal size and close rates of 0.
      expect(lines.filter((line) => !line.startsWith('#'))).toEqual([
        'row,leads,newLeads,mqls,leadsChange,mqlsChange,invalid,averageFit,shareHot,points,expectedValue',
        '2027-03,0,0,0,0,0,0,,,0,0',
        '2027-04,0,0,0,0,0,0,,,0,0',
        'total,0,0,0,,,0,,,0,0',
      ]);

      const sla = await smarketing('report', 'sla', '--period', '2027-03');
      expect(sla.code).toBe(0);
      expect(sla.stdout).toContain('sla 2027-03 from 2027-03-01T05:00:00.000Z');
      expect(sla.stdout).toMatch(/marketing\s+all\s+400/);
    },
    slow,
  );

  test(
    'a report without its period or with a bad segment is a wrong command line (exit 2)',
    async () => {
      const missing = await smarketing('report', 'funnel', '--from', '2027-03');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('needs --from and --to');
      expect(
        (await smarketing('report', 'funnel', '--from', '2027-03', '--to', '2027-04', '--segment', 'webinar'))
          .code,
      ).toBe(2);
      expect((await smarketing('report', 'nonsense', '--from', '2027-03', '--to', '2027-04')).code).toBe(2);
      const backwards = await smarketing('report', 'funnel', '--from', '2027-04', '--to', '2027-03');
      expect(backwards.code).toBe(1);
      expect(backwards.stderr).toContain('must end after it starts');
    },
    slow,
  );
});
