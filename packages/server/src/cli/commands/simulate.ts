import { once } from 'node:events';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  type Agreement,
  defaultAgreementYaml,
  parseAgreement,
  type SimulatedFact,
  type SimulatedFactKind,
  type Simulation,
  simulate,
} from '@smarketing/core';
import { Presets, SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AppError, type AppErrorCode } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { loadSimulatedFacts } from '../../use-cases/demo/load-simulated-facts.ts';
import { resolveWorkspace } from '../../use-cases/workspaces/resolve-workspace.ts';
import type { Output } from '../output.ts';

/**
 * `smarketing simulate`: a realistic B2B company's marketing and sales facts, from a seed, sent
 * through the same ingestion paths as real data (the Segment-spec API and the sales API), written
 * to NDJSON, or only counted. Doubles as demo data and as the load for benchmarks.
 */

export type SimulateCommandHelpers = {
  outputFor(command: Command): Output;
  /** The clock for the default start and the environment (SMARKETING_URL/TOKEN); tests pass their own. */
  now?: () => Date;
  env?: Record<string, string | undefined>;
  /** Opens the configured database for --direct (the CLI's own runtime). */
  withRuntime?: <T>(work: (deps: Deps) => Promise<T>) => Promise<T>;
};

type RawOptions = {
  contacts: number;
  months: number;
  seed: number;
  start?: Date;
  url?: string;
  token?: string;
  out?: string;
  dryRun?: boolean;
  direct?: boolean;
  workspace?: string;
  agreement?: string;
};

type SimulateDestination =
  | { kind: 'http'; url: string; token: string }
  | { kind: 'file'; path: string }
  | { kind: 'direct'; workspace: string | undefined }
  | { kind: 'dry-run' };

export type SimulateRun = {
  contacts: number;
  months: number;
  seed: number;
  start: Date;
  destination: SimulateDestination;
  agreementFile: string | undefined;
};

export function registerSimulateCommand(program: Command, helpers: SimulateCommandHelpers): Command {
  return program
    .command('simulate')
    .description(
      'generate a realistic B2B company’s leads, activities, touches, feedback and deals, and send them (demo data, benchmark load)',
    )
    .option('--contacts <n>', 'contacts who first appear during the simulation', parseCount, 500)
    .option('--months <m>', 'calendar months to simulate (1–120)', parseMonths, 6)
    .option('--seed <s>', 'the same seed gives the same facts', parseSeed, 1)
    .option(
      '--start <YYYY-MM-DD>',
      'first day (UTC) (default: the first of the month, <months> months ago)',
      parseStart,
    )
    .addOption(
      new Option('--url <url>', 'the Smarketing server to send to (or SMARKETING_URL)').conflicts([
        'out',
        'dryRun',
      ]),
    )
    .option('--token <smk_…>', 'an API key allowed to ingest (or SMARKETING_TOKEN)')
    .addOption(
      new Option('--out <file.ndjson>', 'write the facts as NDJSON instead of sending them').conflicts(
        'dryRun',
      ),
    )
    .option('--dry-run', 'generate and count the facts without sending them')
    .addOption(
      new Option(
        '--direct',
        'store the facts straight into the configured database through the same pipeline (stop a PGlite server first)',
      ).conflicts(['url', 'out', 'dryRun']),
    )
    .option('--workspace <slug>', 'with --direct: the workspace (default: the only one)')
    .option(
      '--agreement <file>',
      'the agreement whose ids, events and pages to use (default: the default agreement)',
    )
    .action(async (options: RawOptions, command: Command) => {
      const output = helpers.outputFor(command);
      const run = resolveSimulateRun(options, helpers.env ?? process.env, helpers.now?.() ?? new Date());
      if (typeof run === 'string') command.error(`error: ${run}`, { exitCode: 2, code: 'smarketing.usage' });
      else await runSimulate(run, output, helpers);
    });
}

// --- The command line -------------------------------------------------------------------------

const maxContacts = 1_000_000;

function parseCount(value: string): number {
  const count = /^\d{1,7}$/.test(value) ? Number(value) : -1;
  if (count < 0 || count > maxContacts) {
    throw new InvalidArgumentError(
      `expected a whole number up to ${maxContacts.toLocaleString('en-US')}, like 500.`,
    );
  }
  return count;
}

function parseMonths(value: string): number {
  const months = /^\d{1,3}$/.test(value) ? Number(value) : 0;
  if (months < 1 || months > 120)
    throw new InvalidArgumentError('expected a number of months from 1 to 120.');
  return months;
}

function parseSeed(value: string): number {
  if (!/^-?\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected a whole number, like 1 or 42.');
  return Number(value);
}

function parseStart(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00.000Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD, like 2027-01-01.');
  }
  return date;
}

/** The options parsed into a run, or the usage problem to report. Pure: env and clock are passed. */
export function resolveSimulateRun(
  options: RawOptions,
  env: Record<string, string | undefined>,
  now: Date,
): SimulateRun | string {
  const start =
    options.start ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - options.months, 1));
  const common = {
    contacts: options.contacts,
    months: options.months,
    seed: options.seed,
    start,
    agreementFile: options.agreement,
  };
  if (options.dryRun) return { ...common, destination: { kind: 'dry-run' } };
  if (options.direct) return { ...common, destination: { kind: 'direct', workspace: options.workspace } };
  if (options.out !== undefined) return { ...common, destination: { kind: 'file', path: options.out } };
  const url = options.url ?? nonEmpty(env.SMARKETING_URL);
  if (url === undefined) {
    return 'say where the facts go: --url (or SMARKETING_URL) to send them, --out <file.ndjson> to write them, or --dry-run to count them.';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; expected one like http://127.0.0.1:3000.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `"${url}" is not an http(s) URL.`;
  }
  const token = options.token ?? nonEmpty(env.SMARKETING_TOKEN);
  if (token === undefined) {
    return 'sending needs an API key: --token smk_… (or SMARKETING_TOKEN), e.g. an admin key (it sends events and sales facts), or use --direct.';
  }
  return { ...common, destination: { kind: 'http', url: url.replace(/\/+$/, ''), token } };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

// --- Running ------------------------------------------------------------------------------------

type Counts = Record<SimulatedFactKind, number>;

type SimulateSummary = {
  destination: string;
  contacts: number;
  months: number;
  seed: number;
  start: string;
  end: string;
  facts: Counts & { total: number };
  /** What the server answered (HTTP only). */
  accepted?: number;
  duplicates?: number;
  dropped?: number;
  droppedByReason?: Record<string, number>;
  retries?: number;
  elapsedSeconds: number;
  factsPerSecond: number;
};

async function runSimulate(run: SimulateRun, output: Output, helpers: SimulateCommandHelpers): Promise<void> {
  const agreement = await loadAgreement(run.agreementFile);
  const simulation = simulate({
    contacts: run.contacts,
    months: run.months,
    seed: run.seed,
    start: run.start,
    agreement,
  });
  const progress = createProgress(simulation, !output.json && process.stderr.isTTY === true);
  const startedAt = performance.now();
  const counts: Counts = { segment: 0, touch: 0, 'deal-event': 0, feedback: 0 };
  const counted = countFacts(simulation.facts, counts);
  let sent: SendSummary | undefined;
  try {
    if (run.destination.kind === 'dry-run') {
      for (const fact of counted) progress.tick(fact);
    } else if (run.destination.kind === 'direct') {
      const { withRuntime } = helpers;
      if (!withRuntime) throw new AppError('INTERNAL', { message: '--direct needs the CLI runtime.' });
      const workspace = run.destination.workspace;
      const loaded = await withRuntime(async (deps) => {
        const target = await resolveWorkspace({ slug: workspace }, deps);
        // Facts handed to the loader but not yet reported done, oldest first.
        const pending: SimulatedFact[] = [];
        let ticked = 0;
        return loadSimulatedFacts(
          {
            workspaceId: target.id,
            facts: (function* () {
              for (const fact of counted) {
                pending.push(fact);
                yield fact;
              }
            })(),
            onProgress: (done) => {
              for (; ticked < done; ticked++) {
                const fact = pending.shift();
                if (fact) progress.tick(fact);
              }
            },
          },
          deps,
        );
      });
      sent = {
        requests: loaded.batches,
        retries: 0,
        accepted: loaded.stored,
        duplicates: loaded.duplicates,
        dropped: loaded.rejected,
        droppedByReason: {},
      };
    } else if (run.destination.kind === 'file') {
      await writeNdjsonFile(run.destination.path, counted, (fact) => progress.tick(fact));
    } else {
      sent = await sendFacts(counted, run.destination, {
        onBatchDone: (facts) => {
          for (const fact of facts) progress.tick(fact);
        },
      });
    }
  } finally {
    progress.stop();
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  const total = counts.segment + counts.touch + counts['deal-event'] + counts.feedback;
  const summary: SimulateSummary = {
    destination:
      run.destination.kind === 'http'
        ? run.destination.url
        : run.destination.kind === 'direct'
          ? 'the database (direct)'
          : run.destination.kind === 'file'
            ? run.destination.path
            : 'dry-run',
    contacts: run.contacts,
    months: run.months,
    seed: run.seed,
    start: simulation.truth.start.toISOString(),
    end: simulation.truth.end.toISOString(),
    facts: { ...counts, total },
    ...(sent
      ? {
          accepted: sent.accepted,
          duplicates: sent.duplicates,
          dropped: sent.dropped,
          droppedByReason: sent.droppedByReason,
          retries: sent.retries,
        }
      : {}),
    elapsedSeconds: round(elapsed, 3),
    factsPerSecond: Math.round(total / Math.max(elapsed, 0.001)),
  };
  output.result({ ...summary, truth: simulation.truth }, formatSummary(summary));
}

async function writeNdjsonFile(
  path: string,
  facts: Iterable<SimulatedFact>,
  onFact: (fact: SimulatedFact) => void,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new AppError('VALIDATION_FAILED', {
      message: `${path} cannot be written (${code}).`,
      cause: error,
    });
  }
  const stream = handle.createWriteStream();
  try {
    await writeNdjson(facts, stream, onFact);
  } finally {
    stream.end();
    await finished(stream);
  }
}

async function loadAgreement(file: string | undefined): Promise<Agreement> {
  let text = defaultAgreementYaml;
  if (file !== undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AppError('NOT_FOUND', {
        message:
          code === 'ENOENT'
            ? `${file} does not exist.`
            : `${file} cannot be read (${code ?? 'unknown error'}).`,
      });
    }
  }
  const parsed = parseAgreement(text);
  if (!parsed.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: `${file ?? 'the default agreement'} is not a valid agreement; \`smarketing check ${file ?? ''}\` shows its problems.`,
      details: { issues: parsed.issues },
    });
  }
  return parsed.agreement;
}

function* countFacts(facts: Iterable<SimulatedFact>, counts: Counts): Generator<SimulatedFact> {
  for (const fact of facts) {
    counts[fact.kind] += 1;
    yield fact;
  }
}

type Progress = { tick(fact: SimulatedFact): void; stop(): void };

/** A bar on stderr of simulated time covered, with the facts done and the rate. */
function createProgress(simulation: Simulation, enabled: boolean): Progress {
  if (!enabled) return { tick() {}, stop() {} };
  const from = simulation.truth.start.getTime();
  const span = simulation.truth.end.getTime() - from;
  const bar = new SingleBar(
    {
      format: 'simulate [{bar}] {percentage}% | {day} | {facts} facts | {rate} facts/s',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    Presets.shades_classic,
  );
  const startedAt = performance.now();
  let facts = 0;
  bar.start(1000, 0, { day: simulation.truth.start.toISOString().slice(0, 10), facts: 0, rate: 0 });
  return {
    tick(fact) {
      facts += 1;
      if (facts % 200 !== 0) return;
      const seconds = (performance.now() - startedAt) / 1000;
      bar.update(Math.floor(((fact.at.getTime() - from) / span) * 1000), {
        day: fact.at.toISOString().slice(0, 10),
        facts: facts.toLocaleString('en-US'),
        rate: Math.round(facts / Math.max(seconds, 0.001)).toLocaleString('en-US'),
      });
    },
    stop() {
      bar.stop();
    },
  };
}

function formatSummary(summary: SimulateSummary): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const lines = [
    `Simulated ${n(summary.contacts)} contacts over ${summary.months} month(s) from ${summary.start.slice(0, 10)} (seed ${summary.seed}): ${n(summary.facts.total)} facts`,
    `  segment messages ${n(summary.facts.segment)} · touches ${n(summary.facts.touch)} · deal events ${n(summary.facts['deal-event'])} · feedback ${n(summary.facts.feedback)}`,
  ];
  if (summary.destination === 'dry-run') lines.push('Dry run: nothing was sent.');
  else if (summary.accepted === undefined) lines.push(`Wrote ${summary.destination}.`);
  else {
    const reasons = Object.entries(summary.droppedByReason ?? {})
      .map(([reason, count]) => `${reason} ${n(count)}`)
      .join(', ');
    lines.push(
      `Sent to ${summary.destination}: accepted ${n(summary.accepted)}, duplicates ${n(summary.duplicates ?? 0)}, dropped ${n(summary.dropped ?? 0)}${reasons ? ` (${reasons})` : ''}${summary.retries ? `; ${n(summary.retries)} retried request(s)` : ''}.`,
    );
  }
  lines.push(`Took ${summary.elapsedSeconds} s (${n(summary.factsPerSecond)} facts/s).`);
  return lines.join('\n');
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// --- The wire format ------------------------------------------------------------------------------

/**
 * A fact as the ingestion APIs take it: a Segment message as it is; a sales record with its
 * contact reference under `contact` instead of `ref` (dates become ISO strings in JSON).
 */
export function toWire(fact: SimulatedFact): Record<string, unknown> {
  if (fact.kind === 'segment') return fact.message;
  const { ref, ...rest } = fact.record;
  return { contact: ref, ...rest };
}

/** One NDJSON line: `{ at, kind, message }` for Segment messages, `{ at, kind, record }` otherwise. */
export function toNdjsonLine(fact: SimulatedFact): string {
  const body = fact.kind === 'segment' ? { message: fact.message } : { record: toWire(fact) };
  return `${JSON.stringify({ at: fact.at.toISOString(), kind: fact.kind, ...body })}\n`;
}

/** Writes the facts as NDJSON, waiting whenever the stream asks to. */
export async function writeNdjson(
  facts: Iterable<SimulatedFact>,
  stream: Writable,
  onFact: (fact: SimulatedFact) => void = () => {},
): Promise<number> {
  let written = 0;
  let chunk = '';
  const flush = async () => {
    if (chunk === '') return;
    const ok = stream.write(chunk);
    chunk = '';
    if (!ok) await once(stream, 'drain');
  };
  for (const fact of facts) {
    chunk += toNdjsonLine(fact);
    written += 1;
    onFact(fact);
    if (chunk.length > 256 * 1024) await flush();
  }
  await flush();
  return written;
}

// --- Batching -------------------------------------------------------------------------------------

export type PlannedBatch = {
  id: number;
  kind: SimulatedFactKind;
  facts: SimulatedFact[];
  /** Batches that hold earlier facts of the same contacts: they must be stored first. */
  after: number[];
};

/**
 * Cuts the time-ordered facts into batches of one kind (at most `batchSize` each), keeping each
 * contact's order: a contact's fact of another kind closes the batch holding its earlier facts,
 * and every batch names the earlier batches its contacts were in. Lazy, for any number of facts.
 */
export function* planBatches(facts: Iterable<SimulatedFact>, batchSize = 100): Generator<PlannedBatch> {
  const buffers = new Map<SimulatedFactKind, SimulatedFact[]>();
  const bufferedIn = new Map<number, SimulatedFactKind>();
  const lastBatch = new Map<number, number>();
  let nextId = 0;
  const close = (kind: SimulatedFactKind): PlannedBatch | undefined => {
    const batchFacts = buffers.get(kind);
    if (!batchFacts || batchFacts.length === 0) return undefined;
    buffers.delete(kind);
    const id = nextId++;
    const after = new Set<number>();
    for (const fact of batchFacts) {
      bufferedIn.delete(fact.contactIndex);
      const previous = lastBatch.get(fact.contactIndex);
      if (previous !== undefined && previous !== id) after.add(previous);
      lastBatch.set(fact.contactIndex, id);
    }
    return { id, kind, facts: batchFacts, after: [...after].sort((a, b) => a - b) };
  };
  for (const fact of facts) {
    const pending = bufferedIn.get(fact.contactIndex);
    if (pending !== undefined && pending !== fact.kind) {
      const batch = close(pending);
      if (batch) yield batch;
    }
    const buffer = buffers.get(fact.kind) ?? [];
    buffers.set(fact.kind, buffer);
    buffer.push(fact);
    bufferedIn.set(fact.contactIndex, fact.kind);
    if (buffer.length >= batchSize) {
      const batch = close(fact.kind);
      if (batch) yield batch;
    }
  }
  const rest = [...buffers.entries()].sort(
    ([, a], [, b]) => (a[0]?.at.getTime() ?? 0) - (b[0]?.at.getTime() ?? 0),
  );
  for (const [kind] of rest) {
    const batch = close(kind);
    if (batch) yield batch;
  }
}

// --- Sending --------------------------------------------------------------------------------------

const endpoints: Record<SimulatedFactKind, { path: string; key: string; auth: 'basic' | 'bearer' }> = {
  segment: { path: '/v1/batch', key: 'batch', auth: 'basic' },
  touch: { path: '/api/v1/touches', key: 'touches', auth: 'bearer' },
  'deal-event': { path: '/api/v1/deal-events', key: 'events', auth: 'bearer' },
  feedback: { path: '/api/v1/feedback', key: 'feedback', auth: 'bearer' },
};

export type SendOptions = {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  batchSize?: number;
  /** Retries of one request answered 429/502/503/504 or failing to connect (default 5). */
  maxRetries?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  onBatchDone?: (facts: readonly SimulatedFact[]) => void;
};

export type SendSummary = {
  requests: number;
  retries: number;
  accepted: number;
  duplicates: number;
  dropped: number;
  droppedByReason: Record<string, number>;
};

/**
 * Sends the facts in batches over HTTP, a few requests at a time, never sending a contact's fact
 * before its earlier facts were stored. Stops at the first answer that is not a success (after
 * bounded retries of 429 and 503, honouring Retry-After) and throws an AppError naming it.
 */
export async function sendFacts(
  facts: Iterable<SimulatedFact>,
  target: { url: string; token: string },
  options: SendOptions = {},
): Promise<SendSummary> {
  const concurrency = options.concurrency ?? 4;
  const summary: SendSummary = {
    requests: 0,
    retries: 0,
    accepted: 0,
    duplicates: 0,
    dropped: 0,
    droppedByReason: {},
  };
  const post = createPoster(target, options, summary);
  const slots = createSemaphore(concurrency);
  const running = new Map<number, Promise<void>>();
  let failure: unknown;

  for (const batch of planBatches(facts, options.batchSize ?? 100)) {
    while (running.size >= concurrency * 2) await Promise.race(running.values());
    if (failure !== undefined) break;
    const before = batch.after.flatMap((id) => {
      const earlier = running.get(id);
      return earlier ? [earlier] : [];
    });
    const request = (async () => {
      await Promise.all(before);
      if (failure !== undefined) return;
      const release = await slots.acquire();
      try {
        if (failure !== undefined) return;
        await post(batch);
        options.onBatchDone?.(batch.facts);
      } catch (error) {
        failure ??= error;
      } finally {
        release();
      }
    })();
    running.set(batch.id, request);
    void request.then(() => running.delete(batch.id));
  }
  await Promise.all(running.values());
  if (failure !== undefined) {
    if (failure instanceof AppError) {
      throw new AppError(failure.code, {
        message: failure.message,
        details: { ...(failure.details as object), sentBeforeFailure: summary },
        cause: failure.cause,
      });
    }
    throw failure;
  }
  return summary;
}

function createSemaphore(size: number): { acquire(): Promise<() => void> } {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    acquire() {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}

const retryable = new Set([429, 502, 503, 504]);

function createPoster(
  target: { url: string; token: string },
  options: SendOptions,
  summary: SendSummary,
): (batch: PlannedBatch) => Promise<void> {
  const fetchFn = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());
  const maxRetries = options.maxRetries ?? 5;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const basic = `Basic ${Buffer.from(`${target.token}:`).toString('base64')}`;
  const bearer = `Bearer ${target.token}`;

  return async (batch) => {
    const endpoint = endpoints[batch.kind];
    const url = `${target.url}${endpoint.path}`;
    const items = batch.facts.map(toWire);
    const body = JSON.stringify(
      batch.kind === 'segment' ? { batch: items, sentAt: now().toISOString() } : { [endpoint.key]: items },
    );
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        summary.requests += 1;
        response = await fetchFn(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: endpoint.auth === 'basic' ? basic : bearer,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if (attempt < maxRetries) {
          summary.retries += 1;
          await sleep(backoff(attempt));
          continue;
        }
        throw new AppError('UNAVAILABLE', {
          message: `POST ${url} failed after ${attempt + 1} attempt(s): ${(error as Error).message}. Is the server running?`,
          cause: error,
        });
      }
      const text = await response.text();
      if (response.ok) {
        countAnswer(parseJson(text), batch.facts.length, summary);
        return;
      }
      if (retryable.has(response.status) && attempt < maxRetries) {
        summary.retries += 1;
        await sleep(retryDelay(response.headers.get('retry-after'), attempt, now()));
        continue;
      }
      throw new AppError(codeForStatus(response.status), {
        message: `POST ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${
          retryable.has(response.status) ? ` after ${attempt + 1} attempt(s)` : ''
        }: ${excerpt(text)}`,
        details: { status: response.status, url, body: parseJson(text) ?? excerpt(text) },
      });
    }
  };
}

/** Adds what the server said it did with a batch; an answer without counts counts as all accepted. */
function countAnswer(answer: unknown, size: number, summary: SendSummary): void {
  const body = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const dropped = Array.isArray(body.dropped)
    ? body.dropped
    : Array.isArray(body.rejected)
      ? body.rejected
      : [];
  const accepted =
    typeof body.accepted === 'number'
      ? body.accepted
      : typeof body.created === 'number'
        ? body.created
        : undefined;
  const duplicates = typeof body.duplicates === 'number' ? body.duplicates : 0;
  summary.accepted += accepted ?? Math.max(0, size - duplicates - dropped.length);
  summary.duplicates += duplicates;
  summary.dropped += dropped.length;
  for (const item of dropped) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const reason = String(entry.reason ?? entry.code ?? 'unknown');
    summary.droppedByReason[reason] = (summary.droppedByReason[reason] ?? 0) + 1;
  }
}

/** Milliseconds to wait before retrying: Retry-After (seconds or an HTTP date) capped at 60 s, else backoff. */
export function retryDelay(header: string | null, attempt: number, now: Date): number {
  if (header !== null && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(60_000, seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.min(60_000, Math.max(0, date - now.getTime()));
  }
  return backoff(attempt);
}

function backoff(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** attempt);
}

function codeForStatus(status: number): AppErrorCode {
  if (status === 400 || status === 422) return 'VALIDATION_FAILED';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'INTERNAL';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
