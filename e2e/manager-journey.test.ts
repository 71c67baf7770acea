import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually } from './support/api.ts';
import {
  type DemoServer,
  type DemoSignIn,
  hasChromium,
  launchChromium,
  signedInPage,
  startDemoServer,
} from './support/demo-server.ts';

/**
 * A sales manager on the demo company: opens a rep's queue, reassigns its most urgent lead to
 * another rep with a reason (keyboard only), sees the lead leave that queue, the new owner and
 * the reassignment on the lead's timeline; then the new owner signs in and finds the lead in
 * their own queue. Screenshots go to e2e/screenshots/.
 */
if (!hasChromium)
  console.warn('Skipping the manager journey: /usr/bin/chromium is missing (CI installs it).');

const screenshots = fileURLToPath(new URL('./screenshots', import.meta.url));

type QueueAnswer = { rep: { name: string }; items: { contactId: string }[] };
type ContactAnswer = { lead: { owner: { repId: string | null } | null } | null };

/** A full-page screenshot from the top (the sticky top bar would otherwise sit where the page was scrolled to). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshots, name), fullPage: true });
}

describe.runIf(hasChromium)('the manager reassigns a lead on the demo company', () => {
  let demo: DemoServer;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    demo = await startDemoServer({ waitForEngine: true });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  test("a manager reassigns the most urgent lead of one rep's queue to another rep", async () => {
    const reps = demo.signIns.filter(
      (signIn): signIn is DemoSignIn & { repId: string } => signIn.repId !== null,
    );
    // From the first rep with leads, to another rep.
    let from: (typeof reps)[number] | undefined;
    let fromQueue: QueueAnswer | undefined;
    for (const rep of reps) {
      const queue = await demo.admin.get<QueueAnswer>(`/api/v1/queue?rep=${rep.repId}&limit=5`);
      if (queue.body.items.length > 0) {
        from = rep;
        fromQueue = queue.body;
        break;
      }
    }
    const to = reps.find((rep) => rep !== from);
    if (!from || !fromQueue || !to) throw new Error('The demo has no two reps with a lead to move.');
    const toName = (await demo.admin.get<QueueAnswer>(`/api/v1/queue?rep=${to.repId}&limit=1`)).body.rep.name;

    const manager = demo.signInFor('manager');
    const page = await signedInPage(browser, demo.server.url, manager);
    const managerName = (await page.locator('.who-name').textContent())?.trim() ?? '';
    await page.goto(`${demo.server.url}/queue?rep=${from.repId}`);
    await page.getByRole('heading', { name: `${fromQueue.rep.name}’s queue` }).waitFor();
    const firstRow = page.locator('table.queue tbody tr:not(.group-row)').first();
    await firstRow.waitFor();
    const href = (await firstRow.getByRole('link').getAttribute('href')) ?? '';
    const contactId = href.replace('/leads/', '');
    expect(contactId).not.toBe('');
    const leadName = (await firstRow.getByRole('link').textContent()) ?? '';
    const ownerOf = async () =>
      (await demo.admin.get<ContactAnswer>(`/api/v1/contacts/${contactId}`)).body.lead?.owner?.repId ?? null;
    expect(await ownerOf()).toBe(from.repId);

    // Keyboard only: open the form, choose the rep, give a reason, submit.
    await firstRow.getByRole('button', { name: `Reassign ${leadName}` }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: `Reassign ${leadName}` });
    await form.waitFor();
    const owner = form.getByLabel('New owner');
    expect(await owner.evaluate((element) => element === document.activeElement)).toBe(true);
    await owner.selectOption(to.repId);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Covers this account from today');
    await screenshot(page, 'queue-reassign.png');
    await page.keyboard.press('Enter');

    // The row says where the lead went, then leaves the queue once the engine moved it.
    await page.locator('.reassign-moving', { hasText: `Reassigned to ${toName}` }).waitFor();
    await eventually(
      async () => ((await ownerOf()) === to.repId ? true : undefined),
      `the engine to give the lead to ${to.repId}`,
    );
    await page
      .locator(`table.queue a[href="/leads/${contactId}"]`)
      .waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot(page, 'queue-after-reassign.png');

    // The lead: the new owner, and the reassignment on its timeline (who, to whom, why).
    await page.goto(`${demo.server.url}/leads/${contactId}`);
    await page.getByRole('heading', { name: 'Who', exact: true }).waitFor();
    await page.locator('.facts dd', { hasText: toName }).first().waitFor();
    const entry = page.locator('ol.timeline li.source-reassignment').first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain(`Reassigned to ${toName} by ${managerName}`);
    expect(await entry.textContent()).toContain('Covers this account from today');
    await screenshot(page, 'lead-reassigned.png');
    await page.context().close();

    // The new owner finds it in their own queue.
    const repPage = await signedInPage(browser, demo.server.url, to);
    await repPage.waitForURL('**/queue');
    await repPage.locator('table.queue tbody tr:not(.group-row)').first().waitFor();
    await repPage.locator(`table.queue a[href="/leads/${contactId}"]`).waitFor();
    await screenshot(repPage, 'queue-new-owner.png');
    await repPage.context().close();

    const audit = await demo.admin.get<{ entries: { target: string | null; detail: { toRepId: string } }[] }>(
      '/api/v1/audit?action=contact.reassign',
    );
    expect(audit.body.entries).toEqual([
      expect.objectContaining({ target: contactId, detail: expect.objectContaining({ toRepId: to.repId }) }),
    ]);
  });
});
