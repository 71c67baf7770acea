import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from './config/config.ts';
import { createApp } from './http/app.ts';
import { startEngineWorker } from './jobs/engine-worker.ts';
import type { Logger } from './log.ts';
import { startNotifier } from './notify/start-notifier.ts';
import { openRuntime } from './runtime.ts';
import { createDemoAnnouncements } from './use-cases/demo/create-demo-announcements.ts';
import { createDemoUsers, type DemoUser } from './use-cases/demo/create-demo-users.ts';
import { loadDemo } from './use-cases/demo/load-demo.ts';
import { bootstrapWorkspace } from './use-cases/workspaces/bootstrap-workspace.ts';
import { version } from './version.ts';

export type RunningServer = { url: string; stop(reason: string): Promise<void> };

/**
 * Starts the HTTP server. On the first start of an empty database it creates the workspace and
 * calls `onFirstStart` with the one-time admin token (never written to the log) and, in demo mode,
 * the demo users' one-time passwords (never written to the log either).
 */
export async function startServer(
  config: Config,
  log: Logger,
  onFirstStart: (first: {
    workspaceName: string;
    adminToken: string;
    agreementVersion: number;
    demoUsers: DemoUser[];
  }) => void,
): Promise<RunningServer> {
  const deps = await openRuntime(config, log, { ingestAck: config.ingestAck });
  const bootstrap = await bootstrapWorkspace({ name: config.workspaceName }, deps);
  let demoWorkspaceId: string | undefined;
  if (bootstrap.created) {
    log.info(
      { workspaceId: bootstrap.workspaceId },
      'first start: workspace created with the default agreement',
    );
    const demoUsers = config.demo ? await createDemoUsers({ workspaceId: bootstrap.workspaceId }, deps) : [];
    if (demoUsers.length > 0)
      log.info(
        { users: demoUsers.map((user) => user.email) },
        'demo users created (passwords on the terminal)',
      );
    onFirstStart({ ...bootstrap, demoUsers });
    if (config.demo) demoWorkspaceId = bootstrap.workspaceId;
  }

  const http = createApp(deps, {
    version,
    maxBodyBytes: config.maxBodyBytes,
    webhookAllowPrivate: config.webhookAllowPrivate,
    operatorToken: config.operatorToken,
    corsOrigins: config.corsOrigins,
    rateLimits: {
      ingestPerMinute: config.rateLimitIngestPerMinute,
      apiPerMinute: config.rateLimitApiPerMinute,
    },
  });
  const server = serve({ fetch: http.app.fetch, hostname: config.host, port: config.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, database: deps.database.kind, version }, 'listening');
  const notifier = startNotifier({ allowPrivateUrls: config.webhookAllowPrivate }, { ...deps, fetch });
  const engine = startEngineWorker(
    {
      pollMs: config.enginePollMs,
      tickMs: config.schedulerTickMs,
      stateCacheSize: config.engineStateCache,
      onNotifications: () => notifier.wake?.(),
    },
    deps,
  );

  // The demo company loads while the server already answers: the dashboard opens at once and fills in.
  const demoAbort = new AbortController();
  const demoLoading =
    demoWorkspaceId === undefined
      ? undefined
      : (async (workspaceId: string) => {
          await createDemoAnnouncements({ workspaceId }, deps);
          const loaded = await loadDemo({ workspaceId, signal: demoAbort.signal }, deps);
          log.info({ ...loaded }, 'demo company loaded');
        })(demoWorkspaceId).catch((error: unknown) => {
          if (!demoAbort.signal.aborted) log.error({ err: error }, 'the demo company failed to load');
        });

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop(reason) {
      stopping ??= (async () => {
        demoAbort.abort();
        log.info({ reason }, 'shutting down: finishing in-flight requests');
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const engineStopped = engine.stop();
        const notifierStopped = notifier.stop();
        const drained = await http.drain(config.shutdownTimeoutMs);
        if (!drained.drained)
          log.warn({ inFlight: drained.inFlight }, 'shutdown timeout: closing with requests in flight');
        if ('closeAllConnections' in server) server.closeAllConnections();
        await closed;
        await engineStopped;
        await notifierStopped;
        await demoLoading;
        await deps.ingest.close();
        await deps.database.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
