import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ServerProcess, startServerProcess } from '../packages/server/test/server-process.ts';
import { createAdminApi, eventually } from './support/api.ts';
import { ensureWebBuild } from './support/web-build.ts';

/**
 * The rep's journey in a real browser (Debian's chromium through playwright-core) against the
 * real server on the demo company: sign in, open the most urgent lead, read its history and why
 * it is hot, accept it, and see the SLA clock stop and the lead become an SQL. Then a viewer,
 * who sees no actions and whose writes are refused. Screenshots of each page go to
 * e2e/screenshots/.
 */
const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';
if (!hasChromium && !inCi) {
  console.warn(
    `Skipping the browser journeys: ${chromiumPath} is missing (apt-get install chromium). CI installs it.`,
  );
}

// CI installs chromium (.ci/run) and never skips the journeys.
test.runIf(!hasChromium && inCi)('chromium is installed in CI', () => {
  expect.fail(`${chromiumPath} is missing: .ci/run installs it with apt-get install chromium.`);
});

const screenshots = fileURLToPath(new URL('./screenshots', import.meta.url));
const alex = { email: 'alex.rivera@example.com', name: 'Alex Rivera', password: 'alex-journey-password' };
const viewer = { email: 'vic.viewer@example.com', name: 'Vic Viewer', password: 'vic-journey-password' };
const manager = {
  email: 'jordan.park@example.com',
  name: 'Jordan Park',
  password: 'jordan-journey-password',
};

type QueueAnswer = {
  items: { contactId: string; email: string | null; urgency: string; clock: { status: string } | null }[];
};
type ContactAnswer = { lead: { stage: string; clock: { status: string } | null } | null };

describe.runIf(hasChromium)('browser journeys on the demo company', () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let admin: ReturnType<typeof createAdminApi>;
  let hotLead: { contactId: string; email: string };

  beforeAll(async () => {
    ensureWebBuild();
    await mkdir(screenshots, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'smarketing-e2e-'));
    server = await startServerProcess({
      SMARKETING_DATA_DIR: join(dataDir, 'data'),
      SMARKETING_DEMO: 'true',
      // 'demo company loaded' is logged at info: the journeys wait for it.
      LOG_LEVEL: 'info',
    });
    if (!server.adminToken) throw new Error(`The first start printed no admin token:\n${server.output()}`);
    admin = createAdminApi(server.url, server.adminToken);
    await eventually(
      async () => {
        const engine = await admin.get<{ pending: number; contacts: number }>('/api/v1/engine');
        // The demo loads behind the running server: wait for the whole company, then the engine.
        const loaded = server.output().includes('demo company loaded');
        return loaded && engine.body.contacts >= 500 && engine.body.pending === 0 ? true : undefined;
      },
      'the engine to process the demo company',
      120_000,
    );

    for (const user of [
      { ...alex, role: 'sales', repId: 'alex' },
      { ...viewer, role: 'viewer' },
      { ...manager, role: 'manager' },
    ]) {
      const created = await admin.post('/api/v1/users', user);
      expect(created.status).toBe(201);
    }
    hotLead = await sendHotLeadsUntilAlexHasOne(server.url, server.adminToken, admin);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    return context.newPage();
  }

  async function signIn(page: Page, user: { email: string; password: string }) {
    await page.goto(server.url);
    await page.waitForURL('**/sign-in');
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
  }

  test('a rep signs in, opens the most urgent lead, reads why, accepts it: the clock stops and it becomes an SQL', async () => {
    const page = await newPage();
    await signIn(page, alex);
    await page.screenshot({ path: join(screenshots, 'sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();

    // A rep lands on their queue, most urgent first: the lead that arrived today, clock running.
    await page.waitForURL('**/queue');
    const firstRow = page.locator('table.queue tbody tr:not(.group-row)').first();
    await firstRow.waitFor();
    await expect.poll(() => firstRow.locator('.countdown').textContent()).toMatch(/left$/);
    expect(await firstRow.locator('.lead-sub').textContent()).toContain('VP of Marketing');
    await page.screenshot({ path: join(screenshots, 'queue.png'), fullPage: true });

    await firstRow.getByRole('link').click();
    await page.waitForURL(`**/leads/${hotLead.contactId}`);
    // Why now: the explanation of both scores; the history with the page views before the demo request.
    const fitBars = page.getByRole('list', { name: 'What makes up the fit score' });
    await fitBars.getByRole('listitem').first().waitFor();
    expect(
      await page.getByRole('list', { name: 'What makes up the interest score' }).textContent(),
    ).toContain('Requested a demo');
    const timeline = page.locator('ol.timeline');
    await timeline.waitFor();
    await timeline.locator('.timeline-tag', { hasText: 'Page view' }).nth(1).waitFor();
    expect(await timeline.locator('.timeline-tag', { hasText: 'Page view' }).count()).toBeGreaterThanOrEqual(
      2,
    );
    expect(await timeline.textContent()).toContain('/pricing');
    expect(await page.locator('[data-clock-status]').getAttribute('data-clock-status')).toBe('open');
    await page.screenshot({ path: join(screenshots, 'lead.png'), fullPage: true });

    // Accept with a rating: the engine stops the clock and moves the lead to SQL within moments.
    await page.getByRole('radio', { name: '4' }).check();
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.locator('[data-clock-status="worked"]').waitFor({ timeout: 10_000 });
    await page.locator('.lead-badges .stage', { hasText: 'Sales-qualified lead' }).waitFor();
    expect(await timeline.textContent()).toContain('Accepted by Alex Rivera');
    await page.screenshot({ path: join(screenshots, 'lead-accepted.png'), fullPage: true });

    const contact = await admin.get<ContactAnswer>(`/api/v1/contacts/${hotLead.contactId}`);
    expect(contact.body.lead).toMatchObject({ stage: 'sql', clock: { status: 'worked' } });
    await page.context().close();
  });

  test("a manager lands on Home and opens any rep's queue", async () => {
    const page = await newPage();
    await signIn(page, manager);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sales queues' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'home-manager.png'), fullPage: true });
    await page.getByRole('link', { name: 'Sam Chen' }).click();
    await page.waitForURL('**/queue?rep=sam');
    await page.getByRole('heading', { name: 'Sam Chen’s queue' }).waitFor();
    await page.locator('table.queue').waitFor();
    expect(await page.getByLabel('Rep').inputValue()).toBe('sam');
    await page.screenshot({ path: join(screenshots, 'queue-manager.png'), fullPage: true });
    await page.context().close();
  });

  test('a viewer sees the lead without actions, and a write with their session is refused', async () => {
    const page = await newPage();
    await signIn(page, viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('heading', { name: 'The funnel both teams agreed' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'home-viewer.png'), fullPage: true });

    await page.goto(`${server.url}/leads/${hotLead.contactId}`);
    await page.getByRole('heading', { name: 'Why now' }).waitFor();
    await page.locator('ol.timeline').waitFor();
    expect(await page.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Log a touch' }).count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'lead-viewer.png'), fullPage: true });

    const refused = await page.evaluate(async (contactId) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const response = await fetch('/api/v1/feedback', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({
          feedback: [
            {
              contact: { contactId },
              repId: 'alex',
              verdict: 'reject',
              reason: 'spam',
              occurredAt: new Date().toISOString(),
            },
          ],
        }),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    }, hotLead.contactId);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    await page.context().close();
  });
});

/**
 * Hot leads arrive now (the demo's history ends weeks ago, so its clocks have all run out): each
 * reads the pricing page, identifies and asks for a demo. Routing shares them out by weighted
 * round-robin; send until one is Alex's, whose clock then runs for the next 24 hours.
 */
async function sendHotLeadsUntilAlexHasOne(
  baseUrl: string,
  token: string,
  admin: ReturnType<typeof createAdminApi>,
): Promise<{ contactId: string; email: string }> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const userId = `journey-${attempt}`;
    const email = `morgan.${attempt}@northwind-${attempt}.example`;
    const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    const anonymousId = `anon-${userId}`;
    const response = await fetch(`${baseUrl}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          {
            type: 'page',
            anonymousId,
            name: 'Pricing',
            properties: { path: '/pricing', title: 'Pricing' },
            timestamp: at(300),
          },
          {
            type: 'page',
            anonymousId,
            name: 'Book a demo',
            properties: { path: '/demo', title: 'Book a demo' },
            timestamp: at(240),
          },
          {
            type: 'identify',
            anonymousId,
            userId,
            timestamp: at(200),
            traits: {
              email,
              firstName: 'Morgan',
              lastName: `Northwind ${attempt}`,
              title: 'VP of Marketing',
              company: `Northwind ${attempt}`,
              employees: 240,
              industry: 'Software',
            },
          },
          { type: 'track', userId, event: 'Demo Requested', timestamp: at(180) },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const owner = await eventually(async () => {
      for (const rep of ['alex', 'sam', 'riley']) {
        const queue = await admin.get<QueueAnswer>(`/api/v1/queue?rep=${rep}&limit=50`);
        const item = queue.body.items.find((candidate) => candidate.email === email);
        if (item) return { rep, contactId: item.contactId };
      }
      return undefined;
    }, `the lead ${email} to be routed`);
    if (owner.rep === 'alex') return { contactId: owner.contactId, email };
  }
  throw new Error('No hot lead was routed to alex in 8 tries.');
}
