import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/** `smarketing brief` and `smarketing report clogs`, run as a user would, on a temporary PGlite data folder. */
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
  folder = await mkdtemp(join(tmpdir(), 'smarketing-brief-cli-'));
  expect((await smarketing('workspace', 'create', 'Acme')).code).toBe(0);
}, slow);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('smarketing brief', () => {
  test(
    'prints the brief of a week as Markdown, JSON, or writes the HTML page to a file; refuses a bad week',
    async () => {
      const markdown = await smarketing('brief', '--week', '2027-W09');
      expect(markdown.code).toBe(0);
      expect(markdown.stdout).toContain('# Weekly brief 2027-W09');
      expect(markdown.stdout).toContain('## Open questions');
      const json = await smarketing('brief', '--week', '2027-W09', '--json');
      expect(JSON.parse(json.stdout)).toMatchObject({ brief: 'weekly', week: { label: '2027-W09' } });
      const out = join(folder, 'brief.html');
      const html = await smarketing('brief', '--week', '2027-W09', '--format', 'html', '--out', out);
      expect(html.code).toBe(0);
      expect(await readFile(out, 'utf8')).toMatch(/^<!doctype html>[\s\S]*<svg/);
      const bad = await smarketing('brief', '--week', '2027-09');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/ISO week/);
    },
    slow,
  );

  test(
    'smarketing report clogs prints the clog report with its baseline and options',
    async () => {
      const json = await smarketing(
        'report',
        'clogs',
        '--from',
        '2027-03-01',
        '--to',
        '2027-03-08',
        '--segment-by',
        'source,persona',
        '--horizon-days',
        '7',
        '--json',
      );
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        report: 'clogs',
        options: { horizonDays: 7, segmentBy: ['source', 'persona'] },
        baseline: { periods: 3 },
      });
      const table = await smarketing('report', 'clogs', '--from', '2027-03-01', '--to', '2027-03-08');
      expect(table.stdout).toMatch(/0 clogs/);
      expect(
        (
          await smarketing(
            'report',
            'clogs',
            '--from',
            '2027-03-01',
            '--to',
            '2027-03-08',
            '--segment-by',
            'x!',
          )
        ).code,
      ).toBe(1);
    },
    slow,
  );
});
