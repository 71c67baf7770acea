import { describe, expect, test } from 'vitest';
import { runSoak } from '../../../bench/soak.ts';

/**
 * The short form of the soak (bench/soak.ts; the 10-minute form is `npm run bench:soak`, its
 * figures are in docs/BENCHMARKS.md): 45 seconds of ingest and report queries against the real
 * server process on its own throwaway PostgreSQL, which is restarted a third of the way in; the
 * server is killed and started again two thirds in. Every acknowledged event must be stored
 * exactly once and the engine's derived state must equal a replay.
 */
describe('soak (short form)', () => {
  test('loses and doubles no acknowledged event through a database restart and a server kill', async (context) => {
    const lines: string[] = [];
    let result: Awaited<ReturnType<typeof runSoak>>;
    try {
      result = await runSoak({
        durationMs: 45_000,
        sampleEveryMs: 15_000,
        senders: 3,
        batchSize: 40,
        durable: false,
        log: (line) => lines.push(line),
      });
    } catch (error) {
      if (!process.env.CI && error instanceof Error && /server binaries/.test(error.message)) {
        context.skip('no PostgreSQL server binaries here');
        return;
      }
      throw error;
    }
    const report = `${lines.join('\n')}\n${JSON.stringify({ ...result, samples: undefined }, null, 2)}`;
    expect(
      result.faults.map((fault) => fault.name),
      report,
    ).toEqual(['PostgreSQL restarted', 'server killed and restarted']);
    expect(result.eventsAcknowledged, report).toBeGreaterThan(1000);
    expect(result.eventsAcknowledged, report).toBe(result.eventsSent);
    expect(result.missing, report).toBe(0);
    expect(result.duplicatesStored, report).toBe(0);
    expect(result.storedNotAcknowledged, report).toBe(0);
    expect(result.eventsStored, report).toBe(result.eventsAcknowledged);
    expect(result.reportsAnswered, report).toBeGreaterThan(10);
    expect(result.derivedRows, report).toBeGreaterThan(0);
    expect(result.replayEqualsLive, report).toBe(true);
  }, 420_000);
});
