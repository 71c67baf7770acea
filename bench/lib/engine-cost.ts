import {
  type Agreement,
  createMemoryStateStore,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  evaluateInterest,
  processStep,
} from '@smarketing/core';
import type { Deps } from '../../packages/server/src/deps.ts';
import { runEngineUntilCaughtUp } from '../../packages/server/src/use-cases/engine/run-engine.ts';
import { ingestMessages } from '../../packages/server/src/use-cases/ingest/ingest-messages.ts';
import { createWorkspace } from '../../packages/server/src/use-cases/workspaces/create-workspace.ts';
import { contactIdSql, fillWorkspace, lastSeq } from './engine-fill.ts';
import { execute, sql } from './engine-sql.ts';

/**
 * The engine's cost per event with N events already stored: a workspace filled with N activities
 * (and N/20 contacts, their identities and engine states, the cursor past them), then batches of
 * new events for existing and new contacts through the ingestion use case, then the engine timed
 * over them (`runEngineUntilCaughtUp`, the worker's batch size).
 */

export type CostRun = { steps: number; seconds: number; microsPerFact: number; microsPerEvent: number };

const dayMs = 86_400_000;

/** A contact's state as the engine leaves it after a typical history (20 page views and downloads over 10 months). */
function templateState(agreement: Agreement, startMs: number) {
  const world: EngineWorld = { agreement, routing: emptyRoutingState(), accountOwner: () => undefined };
  const store = createMemoryStateStore(world);
  const effects = emptyEffects();
  processStep(
    world,
    store,
    {
      kind: 'contact',
      seq: 1,
      at: startMs,
      contactId: 'template',
      email: 'person@co.example',
      accountId: null,
      traits: { firstName: 'First', lastName: 'Last', title: 'Marketing Manager', buyingRole: 'influencer' },
      accountTraits: { industry: 'Manufacturing', employees: 120 },
      mergedIntoId: null,
    },
    effects,
  );
  for (let index = 0; index < 20; index++) {
    processStep(
      world,
      store,
      {
        kind: 'activity',
        seq: 2 + index,
        at: startMs + index * 15 * dayMs,
        contactId: 'template',
        activityType: index % 4 === 0 ? 'content-downloaded' : 'page-viewed',
      },
      effects,
    );
  }
  const state = store.get('template');
  if (state === undefined) throw new Error('no template state');
  return state;
}

function buildMessages(runId: string, count: number, contacts: number): unknown[] {
  const timestamp = new Date().toISOString();
  const messages: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const roll = index % 10;
    const messageId = `${runId}-${index}`;
    if (roll < 6) {
      const userId = `u-${1 + Math.floor(Math.random() * contacts)}`;
      messages.push(
        roll < 4
          ? {
              type: 'page',
              messageId,
              userId,
              name: 'Blog',
              properties: { path: `/blog/post-${index % 50}` },
              timestamp,
            }
          : {
              type: 'track',
              messageId,
              userId,
              event: roll === 4 ? 'Content Downloaded' : 'Email Link Clicked',
              timestamp,
            },
      );
    } else if (roll < 9) {
      const anonymousId = `${runId}-n${index % 1000}`;
      messages.push({
        type: 'page',
        messageId,
        anonymousId,
        name: 'Pricing',
        properties: { path: '/pricing' },
        timestamp,
      });
    } else {
      const anonymousId = `${runId}-n${index % 1000}`;
      messages.push({
        type: 'identify',
        messageId,
        anonymousId,
        traits: {
          email: `new-${messageId}@co${index % 97}.example`,
          title: index % 20 === 9 ? 'Director of Marketing' : 'Engineer',
          employees: 200,
          industry: 'Software',
        },
        timestamp,
      });
    }
  }
  return messages;
}

async function ingest(deps: Deps, workspaceId: string, messages: unknown[]) {
  for (let start = 0; start < messages.length; start += 100) {
    const outcome = await ingestMessages({ workspaceId, messages: messages.slice(start, start + 100) }, deps);
    if (outcome.dropped.length > 0) throw new Error(`dropped: ${JSON.stringify(outcome.dropped[0])}`);
  }
}

export type CostWorkspace = { workspaceId: string; stored: number; contacts: number; fillSeconds: number };

/** A workspace with `stored` events, their contacts and engine states, the engine caught up and warm. */
export async function prepareCost(
  deps: Deps,
  options: { stored: number; log: (line: string) => void },
): Promise<CostWorkspace> {
  const db = deps.database;
  const workspace = await createWorkspace(
    { name: `Engine cost ${options.stored} ${Date.now()}`, createdBy: 'bench' },
    deps,
  );
  const workspaceId = workspace.workspaceId;
  const latest = await deps.repos.agreementVersions.findLatest(workspaceId);
  if (latest === undefined) throw new Error('no agreement');
  const endMs = Date.now() - 3_600_000;
  const startMs = endMs - 365 * dayMs;

  const filling = performance.now();
  const filled = await fillWorkspace(db, {
    workspaceId,
    events: options.stored,
    startMs,
    endMs,
    onProgress: (done, total) => {
      if (total >= 1_000_000)
        options.log(`  filled ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
    },
  });
  // Engine states for every stored contact, from one typical state, and the cursor past the facts.
  const agreement = latest.parsed as Agreement;
  const state = templateState(agreement, startMs);
  const chunk = 250_000;
  for (let from = 1; from <= filled.contacts; from += chunk) {
    const to = Math.min(filled.contacts, from + chunk - 1);
    const ids = sql`select ${contactIdSql(workspaceId, sql`g`)} as id,
                           case when g % 5 = 0 then null
                                else md5(${workspaceId} || ':a:' || (1 + g % ${filled.accounts})) end as account
                      from generate_series(${from}::int, ${to}::int) g`;
    await execute(
      db,
      sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage, detour,
                                      owner_rep_id, owner_team_id, next_due_at, state, agreement_version, last_seq, updated_at)
          select ${workspaceId}::uuid, x.id, ${state.position.stage}, ${new Date(state.position.since).toISOString()}::timestamptz,
                 ${state.position.furthest}, null, null, null, null,
                 ${JSON.stringify(state)}::jsonb || jsonb_build_object('contactId', x.id::text, 'accountId', x.account),
                 ${latest.version}, 0, ${new Date(state.now).toISOString()}::timestamptz
            from (${ids}) x`,
    );
    await execute(
      db,
      sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation,
                              agreement_version, computed_at)
          select ${workspaceId}::uuid, x.id, ${state.fit.score}, ${state.interestScore}, ${state.quadrant}, ${state.fit.grade},
                 ${JSON.stringify({ fit: state.fit.contributions, interest: evaluateInterest(state.interest, agreement, state.now).contributions, personas: state.fit.personas })}::jsonb,
                 ${latest.version}, ${new Date(state.now).toISOString()}::timestamptz
            from (${ids}) x`,
    );
  }
  await execute(db, sql`analyze contact_states`);
  await execute(db, sql`analyze scores`);
  await deps.repos.engine.saveCursor(
    workspaceId,
    { cursor: await lastSeq(db), routing: emptyRoutingState(), agreementVersion: latest.version },
    new Date(),
  );
  const fillSeconds = (performance.now() - filling) / 1000;
  options.log(
    `  ${label(options.stored)} stored events: ${filled.contacts.toLocaleString('en')} contacts, ${filled.contactChanges.toLocaleString('en')} contact changes, filled in ${fillSeconds.toFixed(0)} s`,
  );

  // Warm up (JIT, caches, the identity cache) on a smaller batch, untimed.
  await ingest(deps, workspaceId, buildMessages(`warm-${Date.now()}`, 2_000, filled.contacts));
  await runEngineUntilCaughtUp(deps, { workspaceId });
  return { workspaceId, stored: options.stored, contacts: filled.contacts, fillSeconds };
}

/**
 * Ingests `newEvents` events (untimed), then times the engine over them. The events for existing
 * contacts go to contacts drawn from the first `activeContacts` (default: all of them), so a big
 * workspace can be measured with the same spread of events as a small one.
 */
export async function runCost(
  deps: Deps,
  workspace: CostWorkspace,
  newEvents: number,
  activeContacts = workspace.contacts,
): Promise<CostRun> {
  const { workspaceId } = workspace;
  const active = Math.min(activeContacts, workspace.contacts);
  await ingest(deps, workspaceId, buildMessages(`run-${Date.now()}`, newEvents, active));
  const started = performance.now();
  const result = await runEngineUntilCaughtUp(deps, { workspaceId });
  const seconds = (performance.now() - started) / 1000;
  return {
    steps: result.steps,
    seconds,
    microsPerFact: (seconds * 1e6) / result.steps,
    microsPerEvent: (seconds * 1e6) / newEvents,
  };
}

export function label(count: number): string {
  const short = (value: number, unit: string) =>
    `${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1)}${unit}`;
  if (count >= 1_000_000) return short(count / 1_000_000, 'M');
  if (count >= 1_000) return short(count / 1_000, 'k');
  return String(count);
}
