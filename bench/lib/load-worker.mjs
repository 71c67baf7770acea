// A load generator on its own thread: `lanes` requests in flight, each with fresh message ids,
// for `durationMs`. Posts back every latency (ms) and the count of events acknowledged.
import { parentPort, workerData } from 'node:worker_threads';

const { url, authorization, eventsPerRequest, lanes, durationMs, runId } = workerData;
const endpoint = eventsPerRequest === 1 ? `${url}/v1/track` : `${url}/v1/batch`;
const latencies = [];
let acknowledged = 0;
let failed = 0;
let sequence = 0;

function event(lane, index) {
  sequence++;
  return {
    type: 'track',
    messageId: `${runId}-${lane}-${sequence}`,
    anonymousId: `${runId}-visitor-${(sequence * 7919) % 5000}`,
    event: index % 4 === 0 ? 'Demo Requested' : 'Content Downloaded',
    properties: { campaign: 'bench', index },
    context: { ip: '127.0.0.1', page: { path: '/pricing' } },
    timestamp: new Date().toISOString(),
  };
}

const deadline = performance.now() + durationMs;
async function lane(id) {
  while (performance.now() < deadline) {
    const body =
      eventsPerRequest === 1
        ? JSON.stringify(event(id, 0))
        : JSON.stringify({
            batch: Array.from({ length: eventsPerRequest }, (_, index) => event(id, index)),
            sentAt: new Date().toISOString(),
          });
    const started = performance.now();
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      if (response.status === 200) acknowledged += eventsPerRequest;
      else failed++;
    } catch {
      failed++;
    }
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: lanes }, (_, id) => lane(id)));
parentPort.postMessage({ latencies, acknowledged, failed, seconds: (performance.now() - started) / 1000 });
