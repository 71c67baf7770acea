import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultAgreementYaml, parseAgreement, type SimulatedFact, simulate } from '@smarketing/core';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { AppError } from '../../app-error.ts';
import { createOutput } from '../output.ts';
import {
  planBatches,
  registerSimulateCommand,
  resolveSimulateRun,
  retryDelay,
  sendFacts,
  toNdjsonLine,
  toWire,
  writeNdjson,
} from './simulate.ts';

const parsed = parseAgreement(defaultAgreementYaml);
if (!parsed.ok) throw new Error('the default agreement is invalid');
const agreement = parsed.agreement;
const start = new Date('2027-03-01T00:00:00.000Z');

function facts(contacts: number, months: number, seed = 1): SimulatedFact[] {
  return [...simulate({ contacts, months, seed, start, agreement }).facts];
}

const sample = facts(120, 3);

/** What a fact's contact is called in the stream, to check per-contact order. */
function keyOf(fact: SimulatedFact): string {
  return fact.kind === 'segment' ? String(fact.message.messageId) : String(fact.record.externalId);
}

describe('resolveSimulateRun', () => {
  const base = { contacts: 500, months: 6, seed: 1 };
  const now = new Date('2027-05-14T10:00:00.000Z');

  test('starts on the first of the month, <months> months before now, by default', () => {
    const run = resolveSimulateRun({ ...base, dryRun: true }, {}, now);
    expect(typeof run !== 'string' && run.start.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  test.each([
    [{ dryRun: true }, {}, { kind: 'dry-run' }],
    [{ out: 'facts.ndjson' }, { SMARKETING_URL: 'http://x' }, { kind: 'file', path: 'facts.ndjson' }],
    [
      { url: 'http://127.0.0.1:3000/', token: 'smk_a' },
      {},
      { kind: 'http', url: 'http://127.0.0.1:3000', token: 'smk_a' },
    ],
    [
      {},
      { SMARKETING_URL: 'https://smk.example', SMARKETING_TOKEN: 'smk_b' },
      { kind: 'http', url: 'https://smk.example', token: 'smk_b' },
    ],
  ])('sends %o with env %o to %o', (options, env, destination) => {
    const run = resolveSimulateRun({ ...base, ...options }, env, now);
    expect(typeof run !== 'string' && run.destination).toEqual(destination);
  });

  test.each([
    [{}, {}, /--url .* --out .* --dry-run/],
    [{ url: 'http://127.0.0.1:3000' }, {}, /--token/],
    [{ url: 'not a url', token: 't' }, {}, /not a URL/],
    [{ url: 'ftp://host', token: 't' }, {}, /not an http/],
  ])('explains what is missing from %o', (options, env, message) => {
    expect(resolveSimulateRun({ ...base, ...options }, env, now)).toMatch(message);
  });
});

describe('smarketing simulate (command line)', () => {
  function program() {
    const root = new Command('smarketing').option('--json').exitOverride();
    root.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerSimulateCommand(root, {
      outputFor: (command) => createOutput(Boolean(command.optsWithGlobals<{ json?: boolean }>().json)),
      now: () => new Date('2027-05-14T10:00:00.000Z'),
      env: {},
    });
    return root;
  }
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'smarketing-simulate-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  test.each([
    [['--contacts', 'many']],
    [['--contacts', '1000001']],
    [['--months', '0']],
    [['--months', '121']],
    [['--seed', '1.5']],
    [['--start', '2027-02-30']],
    [['--out', 'a.ndjson', '--dry-run']],
    [['--url', 'http://x', '--out', 'a.ndjson']],
    [[]],
  ])('rejects %o as a usage error', async (args) => {
    const error = await program()
      .parseAsync(['node', 'smarketing', 'simulate', ...args])
      .catch((e: unknown) => e);
    // The CLI turns every CommanderError into exit code 2.
    expect(error).toBeInstanceOf(CommanderError);
  });

  test('--dry-run --json prints the counts, the rate and the truth', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await program().parseAsync([
      'node',
      'smarketing',
      '--json',
      'simulate',
      '--contacts',
      '40',
      '--months',
      '2',
      '--dry-run',
    ]);
    const result = JSON.parse(String(stdout.mock.calls[0]?.[0]));
    expect(result).toMatchObject({
      destination: 'dry-run',
      contacts: 40,
      months: 2,
      start: '2027-03-01T00:00:00.000Z',
      end: '2027-05-01T00:00:00.000Z',
    });
    expect(result.facts.total).toBe(
      result.facts.segment + result.facts.touch + result.facts['deal-event'] + result.facts.feedback,
    );
    expect(result.facts.total).toBeGreaterThan(100);
    expect(result.truth.activityMultipliers['demo-requested']).toBeGreaterThan(1);
  });

  test('--out writes one NDJSON line per fact, the same for the same seed', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const file = join(folder, 'facts.ndjson');
    const args = [
      'node',
      'smarketing',
      'simulate',
      '--contacts',
      '30',
      '--months',
      '2',
      '--start',
      '2027-03-01',
    ];
    await program().parseAsync([...args, '--out', file]);
    const first = await readFile(file, 'utf8');
    await program().parseAsync([...args, '--out', file]);
    expect(await readFile(file, 'utf8')).toBe(first);
    const lines = first.trimEnd().split('\n');
    expect(lines.join('\n')).toBe(
      facts(30, 2)
        .map((fact) => toNdjsonLine(fact).trimEnd())
        .join('\n'),
    );
    expect(String(stdout.mock.calls[0]?.[0])).toContain(`Wrote ${file}.`);
  });

  test('an --out file that cannot be written fails with a clear error', async () => {
    const error = await program()
      .parseAsync([
        'node',
        'smarketing',
        'simulate',
        '--contacts',
        '5',
        '--out',
        join(folder, 'no', 'such', 'dir.ndjson'),
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as Error).message).toMatch(/cannot be written \(ENOENT\)/);
  });

  test('a missing agreement file fails with NOT_FOUND', async () => {
    const error = await program()
      .parseAsync(['node', 'smarketing', 'simulate', '--dry-run', '--agreement', join(folder, 'nope.yaml')])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('toWire and toNdjsonLine', () => {
  test('keep Segment messages as they are and put sales records under contact', () => {
    const segment = sample.find((f) => f.kind === 'segment');
    const touch = sample.find((f) => f.kind === 'touch');
    if (!segment || !touch || touch.kind !== 'touch' || segment.kind !== 'segment')
      throw new Error('no sample');
    expect(toWire(segment)).toBe(segment.message);
    const wire = JSON.parse(JSON.stringify(toWire(touch)));
    expect(wire).not.toHaveProperty('ref');
    expect(wire.contact).toEqual(touch.record.ref);
    expect(wire.occurredAt).toBe(touch.record.occurredAt.toISOString());
    expect(wire).toMatchObject({ repId: touch.record.repId, kind: touch.record.kind, source: 'simulator' });

    const line = JSON.parse(toNdjsonLine(touch));
    expect(line).toMatchObject({ at: touch.at.toISOString(), kind: 'touch', record: wire });
    expect(JSON.parse(toNdjsonLine(segment))).toEqual({
      at: segment.at.toISOString(),
      kind: 'segment',
      message: segment.message,
    });
  });

  test('writeNdjson waits for the stream to drain', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const received: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of stream) received.push(chunk as Buffer);
    })();
    const written = await writeNdjson(sample, stream);
    stream.end();
    await reading;
    expect(written).toBe(sample.length);
    expect(Buffer.concat(received).toString('utf8').split('\n').length).toBe(sample.length + 1);
  });
});

describe('planBatches', () => {
  test('cuts batches of one kind, at most the batch size, covering every fact once in per-contact order', () => {
    const batches = [...planBatches(sample, 25)];
    expect(batches.every((b) => b.facts.length <= 25 && b.facts.every((f) => f.kind === b.kind))).toBe(true);
    const flat = batches.flatMap((b) => b.facts.map(keyOf));
    expect(flat.sort()).toEqual(sample.map(keyOf).sort());

    // Sending batch by batch in plan order replays every contact's facts in time order.
    const byContact = new Map<number, number[]>();
    for (const batch of batches) {
      for (const fact of batch.facts) {
        byContact.set(fact.contactIndex, [...(byContact.get(fact.contactIndex) ?? []), fact.at.getTime()]);
      }
    }
    for (const times of byContact.values()) expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test('names the earlier batch of each contact it depends on', () => {
    const batches = [...planBatches(sample, 25)];
    const seen = new Map<number, number>();
    for (const batch of batches) {
      const expected = new Set<number>();
      for (const fact of batch.facts) {
        const earlier = seen.get(fact.contactIndex);
        if (earlier !== undefined && earlier !== batch.id) expected.add(earlier);
      }
      expect(batch.after).toEqual([...expected].sort((a, b) => a - b));
      for (const fact of batch.facts) seen.set(fact.contactIndex, batch.id);
    }
    expect(batches.some((b) => b.after.length > 0)).toBe(true);
  });

  test('closes a contact’s open batch when it does something of another kind', () => {
    const at = (minute: number) => new Date(Date.UTC(2027, 0, 1, 0, minute));
    const fact = (contactIndex: number, minute: number, kind: 'segment' | 'touch'): SimulatedFact =>
      kind === 'segment'
        ? { at: at(minute), contactIndex, kind, message: { messageId: `m${minute}` } }
        : {
            at: at(minute),
            contactIndex,
            kind,
            record: {
              ref: { email: 'a@b.c' },
              repId: 'alex',
              kind: 'call',
              occurredAt: at(minute),
              source: 'test',
            },
          };
    const batches = [
      ...planBatches([
        fact(1, 0, 'segment'),
        fact(2, 1, 'segment'),
        fact(1, 2, 'touch'),
        fact(2, 3, 'segment'),
      ]),
    ];
    expect(batches.map((b) => [b.kind, b.facts.map((f) => f.at.getUTCMinutes()), b.after])).toEqual([
      ['segment', [0, 1], []],
      ['touch', [2], [0]],
      ['segment', [3], [0]],
    ]);
  });
});

describe('retryDelay', () => {
  const now = new Date('2027-01-01T00:00:00.000Z');
  test.each([
    ['2', 0, 2000],
    ['0', 3, 0],
    ['3600', 0, 60_000],
    ['Fri, 01 Jan 2027 00:00:05 GMT', 0, 5000],
    [null, 0, 500],
    [null, 2, 2000],
    ['soon', 10, 10_000],
  ])('Retry-After %s on attempt %i waits %i ms', (header, attempt, expected) => {
    expect(retryDelay(header, attempt, now)).toBe(expected);
  });
});

type Received = { path: string; authorization: string | undefined; body: Record<string, unknown[]> };

describe('sendFacts over HTTP', () => {
  let server: Server;
  let url: string;
  let received: Received[] = [];
  /** Status codes to answer next, in order, before answering 200. */
  let script: { status: number; retryAfter?: string; body?: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const next = script.shift();
        // A small delay so several requests overlap.
        setTimeout(() => {
          inFlight -= 1;
          if (next) {
            response.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {});
            response.end(next.body ?? '{"error":{"code":"UNAVAILABLE","message":"busy"}}');
            return;
          }
          received.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
          const items = Object.values(body).find(Array.isArray) as unknown[];
          const dropped = items.flatMap((item, index) =>
            (item as { traits?: { email?: string } }).traits?.email?.startsWith('test')
              ? [{ index, reason: 'spam' }]
              : [],
          );
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ accepted: items.length - dropped.length, duplicates: 0, dropped }));
        }, 2);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    received = [];
    script = [];
    maxInFlight = 0;
  });

  test('sends every fact once, in batches of up to 100, with the right auth per endpoint', async () => {
    const all = facts(150, 3, 7);
    const summary = await sendFacts(all, { url, token: 'smk_test_secret' });

    const basic = `Basic ${Buffer.from('smk_test_secret:').toString('base64')}`;
    const paths = new Set(received.map((r) => r.path));
    expect(paths).toEqual(
      new Set(['/v1/batch', '/api/v1/touches', '/api/v1/deal-events', '/api/v1/feedback']),
    );
    for (const request of received) {
      const items = Object.values(request.body).find(Array.isArray) as unknown[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.length).toBeLessThanOrEqual(100);
      if (request.path === '/v1/batch') {
        expect(request.authorization).toBe(basic);
        expect(Object.keys(request.body).sort()).toEqual(['batch', 'sentAt']);
      } else {
        expect(request.authorization).toBe('Bearer smk_test_secret');
      }
    }
    expect(received.find((r) => r.path === '/api/v1/touches')?.body).toHaveProperty('touches');
    expect(received.find((r) => r.path === '/api/v1/deal-events')?.body).toHaveProperty('events');
    expect(received.find((r) => r.path === '/api/v1/feedback')?.body).toHaveProperty('feedback');
    expect(
      Math.max(...received.map((r) => (Object.values(r.body).find(Array.isArray) as unknown[]).length)),
    ).toBe(100);

    const sentKeys = received.flatMap((r) =>
      (Object.values(r.body).find(Array.isArray) as Record<string, unknown>[]).map((item) =>
        String(item.messageId ?? item.externalId),
      ),
    );
    expect(sentKeys.sort()).toEqual(all.map(keyOf).sort());
    expect(summary.accepted + summary.dropped).toBe(all.length);
    expect(summary.retries).toBe(0);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);

    // The server saw each contact's facts in time order.
    const order = new Map(all.map((fact) => [keyOf(fact), fact] as const));
    const seen = new Map<number, number>();
    for (const key of received.flatMap((r) =>
      (Object.values(r.body).find(Array.isArray) as Record<string, unknown>[]).map((item) =>
        String(item.messageId ?? item.externalId),
      ),
    )) {
      const fact = order.get(key) as SimulatedFact;
      expect(fact.at.getTime()).toBeGreaterThanOrEqual(seen.get(fact.contactIndex) ?? 0);
      seen.set(fact.contactIndex, fact.at.getTime());
    }
  });

  test('retries 503 and 429 after Retry-After, then goes on', async () => {
    script = [
      { status: 503, retryAfter: '1' },
      { status: 429, retryAfter: '0' },
    ];
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const all = facts(20, 1);
    const summary = await sendFacts(all, { url, token: 't' }, { concurrency: 1, sleep });
    expect(waits).toEqual([1000, 0]);
    expect(summary.retries).toBe(2);
    expect(summary.accepted + summary.dropped).toBe(all.length);
  });

  test('gives up after the bounded retries with a clear error', async () => {
    script = Array.from({ length: 4 }, () => ({ status: 503, retryAfter: '0' }));
    const error = await sendFacts(
      facts(20, 1),
      { url, token: 't' },
      { concurrency: 1, maxRetries: 3, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toMatch(/answered 503.* after 4 attempt\(s\)/);
  });

  test('stops at an answer that is not a success and names it', async () => {
    script = [{ status: 401, body: '{"error":{"code":"UNAUTHORIZED","message":"An API key is required."}}' }];
    const error = await sendFacts(facts(60, 2), { url, token: 'wrong' }, { concurrency: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
    expect((error as Error).message).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/v1\/batch answered 401.*An API key is required/,
    );
  });

  test('counts what the server drops, by reason', async () => {
    const all = facts(400, 2, 3);
    const summary = await sendFacts(all, { url, token: 't' });
    expect(summary.dropped).toBeGreaterThan(0);
    expect(summary.droppedByReason).toEqual({ spam: summary.dropped });
  });

  test('reports a server that is not there', async () => {
    const error = await sendFacts(
      facts(5, 1),
      { url: 'http://127.0.0.1:9', token: 't' },
      { maxRetries: 1, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toMatch(/failed after 2 attempt\(s\)/);
  });
});
