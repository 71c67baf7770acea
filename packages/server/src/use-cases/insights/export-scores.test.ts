import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { loadDemo } from '../demo/load-demo.ts';
import { runEngineUntilCaughtUp } from '../engine/run-engine.ts';
import { ingestMessages } from '../ingest/ingest-messages.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { exportScores } from './export-scores.ts';
import { createScoreModelCache } from './score-model-cache.ts';

const now = new Date('2027-06-15T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let workspaceId: string;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  workspaceId = (await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps)).workspaceId;
  await loadDemo({ workspaceId, contacts: 300, months: 12 }, deps);
  await runEngineUntilCaughtUp(deps, { workspaceId });
}, 300_000);

afterAll(async () => {
  await deps.close();
});

async function exportText(cache: ReturnType<typeof createScoreModelCache>, horizonDays?: number) {
  let text = '';
  const options = { workspaceId, format: 'json' as const, cache, ...(horizonDays ? { horizonDays } : {}) };
  for await (const chunk of exportScores(options, deps)) text += chunk;
  return text;
}

describe('exportScores with a model cache', () => {
  test('fits once while nothing changes, and refits when new facts arrive or the horizon differs', async () => {
    const cache = createScoreModelCache();
    const first = await exportText(cache);
    expect(cache.saved).toBe(1);
    expect((JSON.parse(first) as unknown[]).length).toBeGreaterThan(0);
    const again = await exportText(cache);
    expect(cache.saved).toBe(1);
    expect(again).toBe(first);

    const outcome = await ingestMessages(
      {
        workspaceId,
        messages: [
          {
            type: 'track',
            userId: 'cache-test-user',
            event: 'Demo Requested',
            timestamp: new Date(now.getTime() - 60_000).toISOString(),
            messageId: 'cache-test-1',
          },
        ],
      },
      deps,
    );
    expect(outcome.accepted).toBe(1);
    await exportText(cache);
    expect(cache.saved).toBe(2);
    await exportText(cache);
    expect(cache.saved).toBe(2);
    await exportText(cache, 90);
    expect(cache.saved).toBe(3);
  }, 120_000);
});
