// A fixed-rate load generator on its own thread, for the engine's latency bench: every
// 1000/requestsPerSecond ms it posts a Segment batch of `eventsPerRequest` events (page views and
// content downloads of `visitors` anonymous visitors), whatever the server's pace (open loop), with
// at most `maxInFlight` requests outstanding. `hotPerSecond` of the batches also carry a new hot
// lead (identify as a VP of Marketing at a 300-employee software company + Demo Requested); the
// wall-clock time each of those batches was sent is reported with the lead's e-mail.
import { parentPort, workerData } from 'node:worker_threads';

const {
  url,
  authorization,
  requestsPerSecond,
  eventsPerRequest,
  hotPerSecond,
  durationMs,
  runId,
  visitors,
  maxInFlight,
} = workerData;
const endpoint = `${url}/v1/batch`;
const intervalMs = 1000 / requestsPerSecond;
const hotEvery = Math.max(1, Math.round(requestsPerSecond / hotPerSecond));

const ackLatencies = [];
const hot = [];
let sentRequests = 0;
let acknowledgedRequests = 0;
let acknowledgedEvents = 0;
let failed = 0;
let late = 0;
let inFlight = 0;
let sequence = 0;
let hotSequence = 0;
let wakeSender;

function visitorEvent() {
  sequence++;
  const visitor = `${runId}-v${(sequence * 7919) % visitors}`;
  const timestamp = new Date().toISOString();
  const roll = sequence % 10;
  if (roll < 2) {
    return {
      type: 'track',
      messageId: `${runId}-${sequence}`,
      anonymousId: visitor,
      event: 'Content Downloaded',
      properties: { asset: `ebook-${sequence % 12}` },
      timestamp,
    };
  }
  const path = roll === 2 ? '/pricing' : `/blog/post-${sequence % 200}`;
  return {
    type: 'page',
    messageId: `${runId}-${sequence}`,
    anonymousId: visitor,
    name: path === '/pricing' ? 'Pricing' : 'Blog',
    properties: { path, url: `https://www.example.com${path}` },
    timestamp,
  };
}

function hotLead() {
  hotSequence++;
  const userId = `${runId}-hot-${hotSequence}`;
  const email = `lead-${hotSequence}@${runId}-acme-${hotSequence}.example`.toLowerCase();
  const timestamp = new Date().toISOString();
  return {
    email,
    events: [
      {
        type: 'identify',
        messageId: `${userId}-identify`,
        userId,
        traits: {
          email,
          firstName: 'Hot',
          lastName: `Lead ${hotSequence}`,
          title: 'VP of Marketing',
          company: `Acme ${hotSequence}`,
          employees: 300,
          industry: 'Software',
        },
        timestamp,
      },
      { type: 'track', messageId: `${userId}-demo`, userId, event: 'Demo Requested', timestamp },
    ],
  };
}

async function send(index) {
  const lead = index % hotEvery === 0 ? hotLead() : undefined;
  const batch = lead ? [...lead.events] : [];
  while (batch.length < eventsPerRequest) batch.push(visitorEvent());
  const body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
  inFlight++;
  sentRequests++;
  const sentAt = Date.now();
  const started = performance.now();
  let ok = false;
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    ok = response.status === 200;
  } catch {
    ok = false;
  }
  ackLatencies.push(performance.now() - started);
  if (ok) {
    acknowledgedRequests++;
    acknowledgedEvents += batch.length;
  } else failed++;
  if (lead) hot.push({ email: lead.email, sentAt, acknowledged: ok });
  inFlight--;
  wakeSender?.();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
const pending = [];
for (let index = 0; ; index++) {
  const due = started + index * intervalMs;
  if (due - started >= durationMs) break;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  else if (wait < -intervalMs) late++;
  while (inFlight >= maxInFlight) await new Promise((resolve) => (wakeSender = resolve));
  pending.push(send(index));
}
const sendingSeconds = (performance.now() - started) / 1000;
await Promise.all(pending);
parentPort.postMessage({
  sentRequests,
  acknowledgedRequests,
  acknowledgedEvents,
  failed,
  late,
  ackLatencies,
  hot,
  sendingSeconds,
  seconds: (performance.now() - started) / 1000,
});
