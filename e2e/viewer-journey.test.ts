import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from './support/api.ts';
import {
  type DemoServer,
  hasChromium,
  launchChromium,
  signedInPage,
  startDemoServer,
} from './support/demo-server.ts';

/**
 * A viewer on the demo company, signed in with the viewer sign-in the first start printed: reads
 * every shared page, finds no control that changes anything, and is refused when trying the API
 * with their session anyway. Screenshots of each page go to e2e/screenshots/.
 */
if (!hasChromium) console.warn('Skipping the viewer journey: /usr/bin/chromium is missing (CI installs it).');

const screenshots = fileURLToPath(new URL('./screenshots', import.meta.url));

describe.runIf(hasChromium)('the viewer journey on the demo company', () => {
  let demo: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    demo = await startDemoServer({ waitForEngine: false });
    // The demo's announcements are published first, while the company loads behind the running server.
    await eventually(async () => {
      const listed = await demo.admin.get<{ announcements: unknown[] }>('/api/v1/announcements');
      return listed.body.announcements.length >= 4 ? true : undefined;
    }, 'the demo announcements');
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  test('a viewer reads the agreement, personas, announcements, insights and the brief without a single change control', async () => {
    const page = await signedInPage(browser, demo.server.url, demo.signInFor('viewer'));
    await page.getByRole('heading', { name: 'Announcements' }).waitFor();
    await page.locator('.announcements-panel li').first().waitFor();

    await page.getByRole('link', { name: 'Agreement', exact: true }).click();
    await page.getByRole('heading', { name: 'Stages: the funnel and who owns each step' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'agreement-viewer.png') });
    await page.getByRole('tab', { name: 'Propose a change' }).click();
    await page.getByLabel('Candidate agreement (YAML)').waitFor();
    // A viewer may check a document (reading), never apply or backtest one.
    expect(await page.getByRole('button', { name: 'Apply…' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run backtest' }).count()).toBe(0);
    await page.getByText('Only admins and managers apply a version').waitFor();
    await page.screenshot({ path: join(screenshots, 'agreement-candidate-viewer.png') });

    await page.getByRole('link', { name: 'Personas', exact: true }).click();
    await page.getByRole('heading', { name: 'RevOps leader' }).waitFor();
    expect(await page.getByRole('button', { name: 'New persona' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'personas-viewer.png'), fullPage: true });

    await page.getByRole('link', { name: 'Announcements', exact: true }).click();
    await page.locator('.announcement-card').first().waitFor();
    expect(await page.getByRole('button', { name: 'New announcement' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Withdraw) / }).count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'announcements-viewer.png'), fullPage: true });

    await page.getByRole('link', { name: 'Insights', exact: true }).click();
    await page.getByRole('heading', { name: 'Close rates' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Try the learned points as a candidate' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Brief', exact: true }).click();
    await page.getByRole('heading', { name: 'Questions for the meeting' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Print' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(0);

    // Trying the API with the viewer's own session (cookie and CSRF token) is refused, and nothing changes.
    const attempts = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const agreement = (await (await fetch('/api/v1/agreements/current')).json()) as {
        version: number;
        document: string;
      };
      const personas = (await (await fetch('/api/v1/personas')).json()) as {
        version: number;
        personas: { id: string; label: string; match: unknown }[];
      };
      const announcements = (await (await fetch('/api/v1/announcements')).json()) as {
        announcements: { id: string }[];
      };
      const persona = personas.personas[0];
      const announcement = announcements.announcements[0];
      const send = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(path, {
          method,
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const answer = (await response.json()) as { error?: { code: string } };
        return `${method} ${path.split('?')[0]} ${response.status} ${answer.error?.code ?? ''}`;
      };
      return [
        await send('POST', '/api/v1/agreements', {
          document: agreement.document.replace('fit: 50', 'fit: 40'),
        }),
        await send('POST', '/api/v1/backtests', { candidate: agreement.document, months: 3 }),
        await send('POST', '/api/v1/personas', {
          version: personas.version,
          id: 'intruder',
          label: 'Intruder',
          match: { trait: 'title', contains: 'x' },
        }),
        await send('PUT', `/api/v1/personas/${persona?.id}`, {
          version: personas.version,
          label: 'Renamed',
          match: persona?.match,
        }),
        await send('DELETE', `/api/v1/personas/${persona?.id}?version=${personas.version}`),
        await send('POST', '/api/v1/announcements', { kind: 'other', title: 'Nope' }),
        await send('PATCH', `/api/v1/announcements/${announcement?.id}`, { title: 'Changed' }),
        await send('POST', `/api/v1/announcements/${announcement?.id}/withdraw`, {}),
        await send('POST', '/api/v1/insights/suggestions', {}),
        await send('POST', '/api/v1/brief/send', {}),
      ];
    });
    expect(attempts).toEqual([
      'POST /api/v1/agreements 403 FORBIDDEN',
      'POST /api/v1/backtests 403 FORBIDDEN',
      'POST /api/v1/personas 403 FORBIDDEN',
      expect.stringMatching(/^PUT \/api\/v1\/personas\/[a-z-]+ 403 FORBIDDEN$/),
      expect.stringMatching(/^DELETE \/api\/v1\/personas\/[a-z-]+ 403 FORBIDDEN$/),
      'POST /api/v1/announcements 403 FORBIDDEN',
      expect.stringMatching(/^PATCH \/api\/v1\/announcements\/\S+ 403 FORBIDDEN$/),
      expect.stringMatching(/^POST \/api\/v1\/announcements\/\S+\/withdraw 403 FORBIDDEN$/),
      'POST /api/v1/insights/suggestions 403 FORBIDDEN',
      'POST /api/v1/brief/send 403 FORBIDDEN',
    ]);
    const agreement = await demo.admin.get<{ version: number }>('/api/v1/agreements/current');
    expect(agreement.body.version).toBe(1);
    const announcements = await demo.admin.get<{ announcements: { title: string }[] }>(
      '/api/v1/announcements',
    );
    expect(announcements.body.announcements.map((item) => item.title)).not.toContain('Nope');
    await page.context().close();
  });
});
