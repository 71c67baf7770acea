import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

/**
 * Gives the storage tests a real PostgreSQL. When TEST_DATABASE_URL is set it is used as it is.
 * Otherwise, when PostgreSQL's server binaries are installed, a throwaway cluster is started in a
 * temporary folder on a free loopback port and its URL is handed to the tests with
 * `project.provide('testDatabaseUrl', …)`; teardown stops it and removes the folder.
 * Without binaries nothing happens: test/postgres.test.ts then skips (or fails when CI is set).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

const run = promisify(execFile);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_DATABASE_URL) return undefined;
  const cluster = await startThrowawayPostgres({ durable: false });
  if (!cluster) return undefined;
  project.provide('testDatabaseUrl', cluster.url);
  console.log(
    `Started a throwaway ${cluster.version} on ${cluster.host}:${cluster.port} for the storage tests.`,
  );
  return cluster.stop;
}

export type ThrowawayPostgres = {
  url: string;
  version: string;
  host: string;
  port: number;
  stop(): Promise<void>;
};

/**
 * Starts a PostgreSQL cluster in a temporary folder on a free loopback port, or answers undefined
 * when the server binaries are missing or it cannot start (with a warning). `durable: false` turns
 * fsync and synchronous commit off (tests); benchmarks keep PostgreSQL's durable defaults.
 */
export async function startThrowawayPostgres(options: {
  durable: boolean;
}): Promise<ThrowawayPostgres | undefined> {
  const binDir = await findServerBinaries();
  if (!binDir) return undefined;

  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'smarketing-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  // PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` OS user.
  const command = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(binDir, program), ...args])
      : run(join(binDir, program), args);

  try {
    if (asRoot) {
      await ensurePostgresUser();
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: group } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(group.trim()));
    }
    await command('initdb', [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await findFreePort();
    const serverOptions = [
      '-c listen_addresses=127.0.0.1',
      `-c port=${port}`,
      `-c unix_socket_directories=${dir}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    await command('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', serverOptions]);
    const { stdout: version } = await run(join(binDir, 'postgres'), ['--version']);

    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      version: version.trim(),
      host: '127.0.0.1',
      port,
      async stop() {
        await command('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    console.warn(
      `Could not start a throwaway PostgreSQL from ${binDir}.\n` +
        `${error instanceof Error ? error.message : String(error)}\n${log.split('\n').slice(-20).join('\n')}`,
    );
    await command('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** The bin folder holding initdb: the highest /usr/lib/postgresql/<version>, else `pg_config --bindir`. */
async function findServerBinaries(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => /^\d+(\.\d+)?$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    const binDir = stdout.trim();
    return existsSync(join(binDir, 'initdb')) ? binDir : undefined;
  } catch {
    return undefined;
  }
}

async function ensurePostgresUser(): Promise<void> {
  try {
    await run('id', ['-u', 'postgres']);
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('No port was assigned.'));
      });
    });
  });
}
