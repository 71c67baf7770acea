import { loadConfig } from '../config/config.ts';
import type { Deps } from '../deps.ts';
import { createLogger } from '../log.ts';
import { openRuntime } from '../runtime.ts';

/**
 * Runs a command's work with storage open, and closes it afterwards (the ingestion writer first,
 * so nothing queued is lost). CLI logs go to stderr, warnings and worse unless LOG_LEVEL says.
 */
export async function withRuntime<T>(work: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
  const deps = await openRuntime(config, log);
  try {
    return await work(deps);
  } finally {
    await deps.ingest.close();
    await deps.database.close();
  }
}
