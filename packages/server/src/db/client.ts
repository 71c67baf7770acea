import { readFileSync, rmSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { AppError } from '../app-error.ts';
import * as schema from './schema.ts';

/** A Drizzle database over either driver; repositories and use cases take this. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * Whether statements on `db` can run at the same time: a PostgreSQL pool gives each its own
 * connection and backend; PGlite, or one transaction's connection, runs them one after another.
 */
export function runsSideBySide(db: Db): boolean {
  const { session } = db as unknown as { session: { client?: unknown } };
  return session.client instanceof pg.Pool;
}

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Resolves when the database answers a query; rejects with AppError('UNAVAILABLE') otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A PostgreSQL connection string; when set, the other options except `poolSize` are ignored. */
  databaseUrl?: string;
  /** Folder of the embedded PGlite database, created if missing; one process at a time. */
  dataDir?: string;
  /** PGlite's page cache (`shared_buffers`) in MB; PGlite's default (128) when unset. */
  sharedBuffersMb?: number;
  /** An in-memory PGlite database, gone on close (tests). */
  memory?: boolean;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
};

/** The driver behind a Database, for the migrator (which needs a driver-specific database). */
export type DriverClient = { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; pool: pg.Pool };

const casing = 'snake_case';
const lockFileName = 'smarketing.lock';
const drivers = new WeakMap<Database, DriverClient>();

export function driverOf(database: Database): DriverClient {
  const driver = drivers.get(database);
  if (!driver) throw new Error('This Database was not opened by openDatabase().');
  return driver;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  if (options.memory) return openPglite(new PGlite(), undefined);
  if (!options.dataDir) {
    throw new AppError('INTERNAL', {
      message: 'openDatabase needs a databaseUrl, a dataDir or memory: true.',
    });
  }
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireLock(join(dataDir, lockFileName));
  try {
    const startParams =
      options.sharedBuffersMb === undefined
        ? PGlite.defaultStartParams
        : [...PGlite.defaultStartParams, '-c', `shared_buffers=${Math.round(options.sharedBuffersMb)}MB`];
    return await openPglite(new PGlite({ dataDir, startParams }), lock);
  } catch (error) {
    await lock.release();
    throw new AppError('UNAVAILABLE', {
      message: `Cannot open the embedded database in ${dataDir}: ${messageOf(error)}`,
      cause: error,
    });
  }
}

async function openPglite(client: PGlite, lock: Lock | undefined): Promise<Database> {
  await client.waitReady;
  const db: Db = drizzlePglite({ client, schema, casing });
  let closed = false;
  const database: Database = {
    db,
    kind: 'pglite',
    async ping() {
      try {
        await client.query('select 1');
      } catch (error) {
        throw new AppError('UNAVAILABLE', {
          message: `The embedded database does not answer: ${messageOf(error)}`,
          cause: error,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
  drivers.set(database, { kind: 'pglite', client });
  return database;
}

async function openPostgres(databaseUrl: string, poolSize: number): Promise<Database> {
  const where = describeUrl(databaseUrl);
  const pool = new pg.Pool({ ...withoutJit(databaseUrl), max: poolSize, application_name: 'smarketing' });
  // An idle connection that breaks (server restart, network) is dropped by the pool and the next
  // query reconnects; without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  // The same for a connection checked out when the server goes away (a restart terminates it
  // between two statements of a transaction): its next statement fails and the pool drops it.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db: Db = drizzleNodePg({ client: pool, schema, casing });
  let closed = false;
  const database: Database = {
    db,
    kind: 'postgres',
    async ping() {
      try {
        await db.execute(sql`select 1`);
      } catch (error) {
        throw new AppError('UNAVAILABLE', {
          message: `PostgreSQL at ${where} does not answer: ${messageOf(error)}`,
          details: { database: where },
          cause: error,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  drivers.set(database, { kind: 'postgres', pool });
  try {
    await database.ping();
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * The pool's connection settings with JIT compilation off. The planner's estimates for the
 * reports' reads (CTEs, set parameters, a million rows where a few thousand come out) cross its
 * JIT thresholds, and compiling took 0.4–1.1 s of statements that run in 0.2–1 s (the deals read
 * behind the goal tree: 2.0 s with JIT, 0.6 s without). A startup option, so no statement is sent
 * for it; startup options the connection string gives come after it and win.
 */
export function withoutJit(databaseUrl: string): { connectionString: string; options?: string } {
  const off = '-c jit=off';
  try {
    const url = new URL(databaseUrl);
    const given = url.searchParams.get('options');
    if (given !== null) {
      url.searchParams.set('options', `${off} ${given}`);
      return { connectionString: url.toString() };
    }
  } catch {
    // Not a URL (a socket path): the driver reads it as it is.
  }
  return { connectionString: databaseUrl, options: off };
}

/** `user@host:port/database` from a connection string; never the password. */
function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `${user}${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

function messageOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) return cause.errors[0].message;
  return cause instanceof Error && cause.message ? cause.message : String(cause);
}

// The PGlite data folder lock: a file holding the owner's pid, created exclusively. A lock left by
// a process that no longer runs is taken over.

type Lock = { release(): Promise<void> };

async function acquireLock(path: string): Promise<Lock> {
  const content = `${process.pid}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await writeFile(path, content, { flag: 'wx' });
      return createLock(path, content);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const held = await readFile(path, 'utf8').catch(() => '');
    const pid = Number.parseInt(held.trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
      throw new AppError('CONFLICT', {
        message:
          `The embedded database in ${join(path, '..')} is in use by process ${pid}. ` +
          'Stop that process, or set DATABASE_URL to use a PostgreSQL server that several processes can share.',
        details: { pid, lockFile: path },
      });
    }
    // Stale: move it aside atomically so that only one contender removes it, then retry. If what
    // was moved is not the stale lock (a contender took over in between), put it back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      continue;
    }
    const moved = await readFile(aside, 'utf8').catch(() => held);
    if (moved !== held) await link(aside, path).catch(() => {});
    await rm(aside, { force: true });
  }
  throw new AppError('CONFLICT', {
    message: `Could not take the lock ${path}; another process keeps taking it.`,
    details: { lockFile: path },
  });
}

function createLock(path: string, content: string): Lock {
  // A lock left by a crash is taken over by the next process; this only tidies an exit without close().
  const releaseOnExit = () => {
    try {
      if (readFileSync(path, 'utf8') === content) rmSync(path, { force: true });
    } catch {}
  };
  process.once('exit', releaseOnExit);
  return {
    async release() {
      process.removeListener('exit', releaseOnExit);
      const current = await readFile(path, 'utf8').catch(() => undefined);
      if (current === content) await rm(path, { force: true });
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
