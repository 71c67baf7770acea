import { type Agreement, emptyRoutingState, scoresAt } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

/** Why a lead is where it is in the queue. */
type QueueUrgency = 'open-clock' | 'breached' | 'owned';

type QueueItem = {
  contactId: string;
  name: string | null;
  email: string | null;
  title: string | null;
  company: string | null;
  account: { id: string; name: string } | null;
  stage: string;
  quadrant: string;
  fit: { score: number; grade: string };
  /** As of the moment asked (interest decays between facts). */
  interest: number;
  clock: {
    status: string;
    startedAt: Date;
    deadlineAt: Date;
    breachedAt: Date | null;
    stoppedAt: Date | null;
  } | null;
  lastActivityAt: Date | null;
  urgency: QueueUrgency;
};

export type Queue = {
  rep: { id: string; name: string; teamId: string };
  asOf: Date;
  items: QueueItem[];
  /** Leads in the queue before `limit` cut it. */
  total: number;
};

/** Owned leads read per request, at most: far more than a rep can work. */
const maxOwned = 5_000;
const quadrantOrder = ['hot', 'fan', 'nurture', 'drop'];

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/**
 * A rep's leads by urgency: open SLA clocks first, nearest deadline first; then breached clocks
 * not yet worked (and running ones past their deadline), longest overdue first; then the other leads they own by quadrant (hot, fan,
 * nurture, drop) and interest as of now. Leads on a detour (recycled, disqualified, lost) and
 * customers are not in the queue.
 */
export async function getQueue(
  options: { workspaceId: string; repId: string; limit: number },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<Queue> {
  const current = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (!current) throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement yet.' });
  const agreement = current.parsed as Agreement;
  const team = agreement.teams.find((candidate) => candidate.reps.some((rep) => rep.id === options.repId));
  const rep = team?.reps.find((candidate) => candidate.id === options.repId);
  if (!team || !rep) {
    throw new AppError('NOT_FOUND', {
      message: `"${options.repId}" is not a rep in the current agreement.`,
      details: { repId: options.repId },
    });
  }
  const finalStage = agreement.stages.at(-1)?.id;
  const now = deps.clock();
  const agreements = new Map<number, Agreement>([[current.version, agreement]]);
  const agreementOf = async (version: number) => {
    const known = agreements.get(version);
    if (known) return known;
    const found = (await deps.repos.agreementVersions.find(options.workspaceId, version))
      ?.parsed as Agreement;
    agreements.set(version, found ?? agreement);
    return found ?? agreement;
  };

  const owned = await deps.repos.queue.listOwnedLeads(options.workspaceId, options.repId, maxOwned);
  const items: QueueItem[] = [];
  for (const row of owned) {
    if (row.detour !== null || row.stage === finalStage) continue;
    const world = {
      agreement: await agreementOf(row.agreementVersion),
      routing: emptyRoutingState(),
      accountOwner: () => undefined,
    };
    const scores = scoresAt(world, row.state, now.getTime());
    const clock = row.state.clock;
    // A running clock past its deadline is breached; the scheduler records it at its next tick.
    const running = clock?.status === 'open' && clock.stoppedAt === undefined;
    const urgency: QueueUrgency =
      running && (clock?.deadlineAt ?? 0) > now.getTime()
        ? 'open-clock'
        : running || (clock?.status === 'breached' && clock.stoppedAt === undefined)
          ? 'breached'
          : 'owned';
    items.push({
      contactId: row.contactId,
      name:
        text(row.traits.name) ??
        ([text(row.traits.firstName), text(row.traits.lastName)].filter(Boolean).join(' ') || null),
      email: row.email,
      title: text(row.traits.title),
      company: text(row.traits.company) ?? row.account?.name ?? null,
      account: row.account === null ? null : { id: row.account.id, name: row.account.name },
      stage: row.stage,
      quadrant: scores.quadrant.id,
      fit: { score: row.state.fit.score, grade: row.state.fit.grade },
      interest: scores.interest.score,
      clock:
        clock === undefined
          ? null
          : {
              status: clock.status,
              startedAt: new Date(clock.startedAt),
              deadlineAt: new Date(clock.deadlineAt),
              breachedAt: clock.breachedAt === undefined ? null : new Date(clock.breachedAt),
              stoppedAt: clock.stoppedAt === undefined ? null : new Date(clock.stoppedAt),
            },
      lastActivityAt: row.lastActivityAt,
      urgency,
    });
  }
  items.sort(compareUrgency);
  return {
    rep: { id: rep.id, name: rep.name, teamId: team.id },
    asOf: now,
    items: items.slice(0, options.limit),
    total: items.length,
  };
}

const urgencyRank: Record<QueueUrgency, number> = { 'open-clock': 0, breached: 1, owned: 2 };

function compareUrgency(a: QueueItem, b: QueueItem): number {
  const byUrgency = urgencyRank[a.urgency] - urgencyRank[b.urgency];
  if (byUrgency !== 0) return byUrgency;
  if (a.urgency !== 'owned' && a.clock && b.clock) {
    const byDeadline = a.clock.deadlineAt.getTime() - b.clock.deadlineAt.getTime();
    if (byDeadline !== 0) return byDeadline;
  }
  const byQuadrant = rank(a.quadrant) - rank(b.quadrant);
  if (byQuadrant !== 0) return byQuadrant;
  return b.interest - a.interest || a.contactId.localeCompare(b.contactId);
}

function rank(quadrant: string): number {
  const index = quadrantOrder.indexOf(quadrant);
  return index === -1 ? quadrantOrder.length : index;
}
