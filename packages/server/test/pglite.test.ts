import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createRepositories } from '../src/repositories/index.ts';
import { describeCollaborationContract } from './collaboration-contract.ts';
import { describeEngineContract } from './engine-contract.ts';
import { describeReportContract } from './report-contract.ts';
import { committedMigrations, describeRepositoryContract } from './repository-contract.ts';

describeRepositoryContract('PGlite in memory', () => openDatabase({ memory: true }));

describe('openDatabase with a PGlite data folder', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'smarketing-pglite-')), 'nested', 'data');
  });

  afterEach(async () => {
    await rm(join(dataDir, '..', '..'), { recursive: true, force: true });
  });

  test('creates the folder, applies every committed migration and keeps data across reopening', async () => {
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    expect(await migrateDatabase(first)).toEqual({ applied: committedMigrations });
    const id = randomUUID();
    await createRepositories(first.db).workspaces.create({
      id,
      slug: 'kept',
      name: 'Kept',
      createdAt: new Date(),
    });
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(await migrateDatabase(second)).toEqual({ applied: 0 });
      expect((await createRepositories(second.db).workspaces.find(id))?.slug).toBe('kept');
    } finally {
      await second.close();
    }
  });

  test('refuses a second open of the folder with CONFLICT naming the holder, until the first closes', async () => {
    const first = await openDatabase({ dataDir });
    expect((await readFile(join(dataDir, 'smarketing.lock'), 'utf8')).trim()).toBe(String(process.pid));

    const error = await openDatabase({ dataDir }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isAppError(error) && error.code).toBe('CONFLICT');
    expect(error instanceof Error && error.message).toContain(`process ${process.pid}`);
    expect(error instanceof Error && error.message).toContain('DATABASE_URL');

    await first.close();
    const again = await openDatabase({ dataDir });
    await again.ping();
    await again.close();
  });

  test('takes over a lock left by a process that no longer runs', async () => {
    const child = execFile(process.execPath, ['-e', '']);
    const deadPid = child.pid;
    await new Promise((resolve) => child.on('exit', resolve));

    const first = await openDatabase({ dataDir });
    await first.close();
    await writeFile(join(dataDir, 'smarketing.lock'), `${deadPid}\n`);

    const database = await openDatabase({ dataDir });
    expect((await readFile(join(dataDir, 'smarketing.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await database.close();
    await expect(readFile(join(dataDir, 'smarketing.lock'), 'utf8')).rejects.toThrow();
  });
});

describeEngineContract('PGlite in memory', () => openDatabase({ memory: true }));
describeReportContract('PGlite in memory', () => openDatabase({ memory: true }));
describeCollaborationContract('PGlite in memory', () => openDatabase({ memory: true }));
