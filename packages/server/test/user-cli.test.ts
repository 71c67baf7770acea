import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { createRepositories } from '../src/repositories/index.ts';

/** `smarketing user create | list`, run as a user would, with stdin given or closed. */
const bin = fileURLToPath(new URL('../bin/smarketing.js', import.meta.url));
let folder: string;

function smarketing(
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: folder,
      env: { ...process.env, DATABASE_URL: '', SMARKETING_DATA_DIR: join(folder, 'data'), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'smarketing-user-cli-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('smarketing user', () => {
  test('creates users with a password from stdin or a generated one printed once, audited; lists them', async () => {
    expect((await smarketing(['workspace', 'create', 'Acme'])).code).toBe(0);
    const piped = await smarketing(
      [
        'user',
        'create',
        '--email',
        'Alex.Rivera@Example.com',
        '--name',
        'Alex Rivera',
        '--role',
        'sales',
        '--rep',
        'alex',
      ],
      'a piped password\n',
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('Created the sales user alex.rivera@example.com');
    expect(piped.stdout).not.toContain('a piped password');

    const generated = await smarketing([
      'user',
      'create',
      '--email',
      'jo@example.com',
      '--name',
      'Jo',
      '--role',
      'admin',
      '--json',
    ]);
    expect(generated.code).toBe(0);
    const { password } = JSON.parse(generated.stdout) as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);

    expect(
      (
        await smarketing([
          'user',
          'create',
          '--email',
          'x@example.com',
          '--name',
          'X',
          '--role',
          'sales',
          '--rep',
          'nobody',
        ])
      ).stderr,
    ).toContain('"nobody" is not a rep');
    expect(
      (await smarketing(['user', 'create', '--email', 'x@example.com', '--name', 'X', '--role', 'root']))
        .code,
    ).toBe(2);

    const list = await smarketing(['user', 'list']);
    expect(list.stdout).toMatch(/alex\.rivera@example\.com\s+sales\s+alex/);
    expect(list.stdout).not.toContain('scrypt');

    const database = await openDatabase({ dataDir: join(folder, 'data') });
    try {
      const repos = createRepositories(database.db);
      const [workspace] = await repos.workspaces.list();
      const users = await repos.users.findByEmail('alex.rivera@example.com');
      expect(users[0]?.passwordHash).toMatch(/^scrypt\$/);
      const audit = await repos.audit.list(workspace?.id ?? '', { action: 'user.create', limit: 10 });
      expect(audit).toHaveLength(2);
      expect(audit[0]?.actor).toMatch(/^cli/);
    } finally {
      await database.close();
    }
  }, 90_000);
});
