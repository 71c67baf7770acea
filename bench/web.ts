/**
 * bench/web: first useful paint of every dashboard page on the demo company. Starts the built
 * server as the README's quick start does (e2e/support/demo-server.ts: the demo data, the engine
 * caught up), signs in as the demo admin, then for each page measures in Debian's chromium the
 * time from navigation start to the page's main content rendered with data (bench/lib/web-pages.ts
 * names it per page by selectors of real content). Every run is a fresh browser context (a cold
 * cache, the session cookie only); pages are visited round-robin so machine noise spreads evenly.
 * Prints median and p90 per page, the slowest API call behind each, and the load average.
 *
 *   npm run bench:web                 # 7 runs per page
 *   npm run bench:web -- --runs 5 --pages queue,lead,sla
 *
 * Target (issue 7): first useful paint of any page under 1 s on the demo data.
 */
import { loadavg } from 'node:os';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { launchChromium, signedInPage, startDemoServer } from '../e2e/support/demo-server.ts';
import { median, percentile } from './lib/stats.ts';
import { baselinePage, type WebPage, webPages } from './lib/web-pages.ts';

const targetMs = 1_000;

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

type Sample = { paintMs: number; completeMs: number | undefined; apiCalls: { path: string; ms: number }[] };

/** One cold visit: a new context with the session, navigation, then polling each frame for the content. */
async function visit(
  browser: Browser,
  baseUrl: string,
  state: BrowserContextOptions['storageState'],
  page: WebPage,
): Promise<Sample> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...(page.signedOut ? {} : { storageState: state }),
  });
  try {
    const tab = await context.newPage();
    const apiCalls: Sample['apiCalls'] = [];
    tab.on('requestfinished', (request) => {
      const url = new URL(request.url());
      if (!url.pathname.startsWith('/api/')) return;
      const timing = request.timing();
      apiCalls.push({ path: url.pathname, ms: timing.responseEnd - timing.requestStart });
    });
    await tab.goto(`${baseUrl}${page.path}`, { waitUntil: 'commit' });
    const handle = await tab
      .waitForFunction(
        (selectors: string[]) =>
          selectors.every((selector) => document.querySelector(selector) !== null)
            ? performance.now()
            : false,
        page.ready,
        { polling: 'raf', timeout: 20_000 },
      )
      .catch(async (error: unknown) => {
        const missing = await tab.evaluate(
          (selectors: string[]) => selectors.filter((selector) => document.querySelector(selector) === null),
          page.ready,
        );
        throw new Error(`${page.name}: ${missing.join(', ')} never appeared at ${tab.url()}`, {
          cause: error,
        });
      });
    const paintMs = (await handle.jsonValue()) as number;
    let completeMs: number | undefined;
    if (page.complete !== undefined) {
      const drawn = await tab.waitForFunction(
        (selectors: string[]) =>
          selectors.every((selector) => document.querySelector(selector) !== null)
            ? performance.now()
            : false,
        page.complete,
        { polling: 'raf', timeout: 20_000 },
      );
      completeMs = (await drawn.jsonValue()) as number;
    }
    return { paintMs, completeMs, apiCalls };
  } finally {
    await context.close();
  }
}

const pad = (value: string, width: number) => value.padEnd(width);
const ms = (value: number) => `${Math.round(value)} ms`.padStart(8);

async function main() {
  const runs = Number(option('runs', '7'));
  const only = option('pages', '');
  console.log('Starting the demo server and waiting for the engine to process the demo company…');
  const demo = await startDemoServer({ waitForEngine: true });
  const browser = await launchChromium();
  try {
    const admin = demo.signInFor('admin');
    let queueRep: string | undefined;
    let leadId: string | undefined;
    for (const signIn of demo.signIns) {
      if (signIn.repId === null) continue;
      const queue = await demo.admin.get<{ items: { contactId: string }[] }>(
        `/api/v1/queue?rep=${signIn.repId}&limit=1`,
      );
      const first = queue.body.items[0];
      if (first) {
        queueRep = signIn.repId;
        leadId = first.contactId;
        break;
      }
    }
    if (!queueRep || !leadId) throw new Error('No rep of the demo has a lead in their queue.');
    const pages = webPages({ queueRep, leadId }).filter(
      (page) => only === '' || page === baselinePage || only.split(',').includes(page.name),
    );
    const signedIn = await signedInPage(browser, demo.server.url, admin);
    const state = await signedIn.context().storageState();
    await signedIn.context().close();

    // One warm-up visit per page (the server's first queries, chromium's first start), not counted.
    const failed: string[] = [];
    for (const page of pages) {
      await visit(browser, demo.server.url, state, page).catch((error: Error) => failed.push(error.message));
    }
    if (failed.length > 0) throw new Error(`Pages whose content never appeared:\n${failed.join('\n')}`);
    const loadBefore = loadavg();
    const samples = new Map<string, Sample[]>(pages.map((page) => [page.name, []]));
    for (let run = 0; run < runs; run++) {
      for (const page of pages)
        samples.get(page.name)?.push(await visit(browser, demo.server.url, state, page));
    }
    const loadAfter = loadavg();

    console.log(
      `\nFirst useful paint (the page's figures on screen), cold cache, ${runs} runs per page (target < ${targetMs} ms);\n"chart": median time until its chart is drawn too\n`,
    );
    console.log(
      `${pad('page', 24)}${'median'.padStart(8)}${'p90'.padStart(8)}${'÷ base'.padStart(8)}${'chart'.padStart(9)}  ${pad('slowest API call (median)', 44)} content`,
    );
    const baseline = median(samples.get(baselinePage.name)?.map((sample) => sample.paintMs) ?? []);
    let missed = 0;
    for (const page of pages) {
      const list = samples.get(page.name) ?? [];
      const paints = list.map((sample) => sample.paintMs);
      const byPath = new Map<string, number[]>();
      for (const sample of list)
        for (const call of sample.apiCalls)
          byPath.set(call.path, [...(byPath.get(call.path) ?? []), call.ms]);
      const slowest = [...byPath]
        .map(([path, values]) => ({ path, ms: median(values) }))
        .sort((a, b) => b.ms - a.ms)[0];
      const p90 = percentile(paints, 90);
      if (p90 >= targetMs) missed++;
      const drawn = list.flatMap((sample) => (sample.completeMs === undefined ? [] : [sample.completeMs]));
      const chart = drawn.length === 0 ? '—'.padStart(9) : ` ${ms(median(drawn))}`;
      console.log(
        `${pad(page.name, 24)}${ms(median(paints))}${ms(p90)}${`${(median(paints) / baseline).toFixed(1)}×`.padStart(8)}${chart}  ${pad(slowest ? `${slowest.path} ${Math.round(slowest.ms)} ms` : '—', 44)} ${page.ready.join(' + ')}`,
      );
    }
    const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
    console.log(`\nload average before: ${load(loadBefore)}; after: ${load(loadAfter)} (2 shared cores)`);
    console.log(
      missed === 0
        ? `Every page under ${targetMs} ms at p90.`
        : `${missed} page(s) at or over ${targetMs} ms at p90.`,
    );
  } finally {
    await browser.close();
    await demo.stop();
  }
}

await main();
