import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type ServerProcess, startServerProcess } from '../../packages/server/test/server-process.ts';
import { createAdminApi, eventually } from './api.ts';
import { ensureWebBuild } from './web-build.ts';

const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

export type DemoSignIn = { role: string; email: string; password: string; repId: string | null };

export type DemoServer = {
  server: ServerProcess;
  admin: ReturnType<typeof createAdminApi>;
  /** The demo sign-ins the first start printed on the terminal, as a newcomer reads them. */
  signIns: DemoSignIn[];
  signInFor(role: string): DemoSignIn;
  stop(): Promise<void>;
};

/** The demo sign-in lines of a first start: `role  email  password  (rep id)`. */
function parseDemoSignIns(output: string): DemoSignIn[] {
  const lines = output.matchAll(
    /^ {4}(admin|manager|marketing|sales|viewer) +(\S+@demo\.example) +(\S+)(?: +\(rep (\S+)\))?$/gm,
  );
  return [...lines].map(([, role = '', email = '', password = '', repId]) => ({
    role,
    email,
    password,
    repId: repId ?? null,
  }));
}

/**
 * Builds the dashboard and starts the server as the README's quick start does
 * (`SMARKETING_DEMO=true` on an empty data folder); waits for the engine to process the demo
 * company when asked.
 */
export async function startDemoServer(options: { waitForEngine: boolean }): Promise<DemoServer> {
  ensureWebBuild();
  const dataDir = await mkdtemp(join(tmpdir(), 'smarketing-e2e-'));
  const server = await startServerProcess({
    SMARKETING_DATA_DIR: join(dataDir, 'data'),
    SMARKETING_DEMO: 'true',
    // 'demo company loaded' is logged at info: the journeys wait for it.
    LOG_LEVEL: 'info',
  });
  const stop = async () => {
    await server.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (!server.adminToken) throw new Error(`The first start printed no admin token:\n${server.output()}`);
    const admin = createAdminApi(server.url, server.adminToken);
    const signIns = parseDemoSignIns(server.output());
    if (options.waitForEngine) {
      await eventually(
        async () => {
          const engine = await admin.get<{ pending: number; contacts: number }>('/api/v1/engine');
          // The demo loads behind the running server: wait for the whole company, then the engine.
          const loaded = server.output().includes('demo company loaded');
          return loaded && engine.body.contacts >= 500 && engine.body.pending === 0 ? true : undefined;
        },
        'the engine to process the demo company',
        180_000,
      );
    }
    return {
      server,
      admin,
      signIns,
      signInFor(role) {
        const found = signIns.find((signIn) => signIn.role === role);
        if (!found) throw new Error(`The first start printed no ${role} sign-in:\n${server.output()}`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/** A fresh browser context at laptop size, signed in through the sign-in page. */
export async function signedInPage(browser: Browser, baseUrl: string, user: DemoSignIn): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.waitForURL('**/sign-in');
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
  return page;
}
