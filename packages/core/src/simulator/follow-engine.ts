import type { Assignment } from '../engine/contact-engine.ts';
import { day } from './calendar.ts';
import { type Arrival, type JourneyContext, simulateContact } from './journey.ts';
import { createMinHeap } from './min-heap.ts';
import type { SalesWork } from './sales-work.ts';
import type { SimulatedFact } from './simulate.ts';
import { createSimulatedEngine } from './simulated-engine.ts';

/** The work a rep does on one hand-over: its facts, and who does what remains of it. */
type Plan = { repId: string; started: boolean; cancelled: boolean; stream: Stream };

/** A contact's marketing facts, or one plan's sales facts, merged into the stream by time. */
type Stream = {
  facts: readonly SimulatedFact[];
  position: number;
  at: number;
  contact: number;
  /** 0 for marketing; plans are numbered from 1 in the order the contact got them. */
  rank: number;
  plan?: Plan;
};

/** What the pass keeps of a contact: how sales works it, and the work under way. */
type ContactRun = { sales: SalesWork; plan?: Plan; plans: number };

/**
 * The simulation's facts in time order, with sales following the engine: every contact's
 * marketing facts are merged by time and folded through the engine (the server's fold, as it
 * processes a loaded history: see `simulated-engine.ts`). When the engine hands a lead over, the
 * rep it chose works it (`SalesWork`); those facts join the stream and are folded in turn, so
 * feedback and lost deals move the lead the way the agreement says before later hand-overs are
 * decided. A contact's story is generated when the stream reaches its arrival.
 *
 * Before a sales fact goes out, the engine previews it: when the lead's overdue deadline makes
 * the engine reassign it first (an escalation), the new owner does that fact and the rest of the
 * work; a fact about a lead no longer in sales' hands, or feedback the engine would refuse (a
 * recycle from a stage no recycle detour leaves), is not sent. When the engine reassigns a lead
 * on a marketing fact, the new rep starts over if nobody had touched it yet, and otherwise
 * introduces themself (a touch) and takes over what remains. Nobody works a lead the engine
 * handed over while it was still anonymous (there is no one to call) or while it is on a detour.
 */
export function* followEngine(
  context: JourneyContext,
  arrivals: readonly Arrival[],
): Generator<SimulatedFact> {
  const engine = createSimulatedEngine(context.model.agreement);
  const streams = createMinHeap<Stream>(
    (a, b) =>
      a.at < b.at ||
      (a.at === b.at && (a.contact < b.contact || (a.contact === b.contact && a.rank < b.rank))),
  );
  const runs = new Map<number, ContactRun>();
  let next = 0;

  const handOver = (assignment: Assignment, now: number) => {
    const index = engine.contactIndexOf(assignment.contactId);
    const run = runs.get(index);
    const state = engine.stateOf(index);
    if (run === undefined || state === undefined) return;
    const current = run.plan !== undefined && !run.plan.cancelled ? run.plan : undefined;
    const reassigned = state.handedAt !== assignment.at;
    // Already handed to this rep by the preview of the fact that caused the reassignment.
    if (reassigned && current !== undefined && current.repId === assignment.repId) return;
    // Whatever remains of the current work moves to the new plan, or nobody does it.
    if (current !== undefined) current.cancelled = true;
    run.plan = undefined;
    if (assignment.repId === null) return;
    // A rep cannot reach a visitor who never left an address, and leaves a parked lead alone.
    if (state.email === null || state.position.detour !== undefined) return;
    const clock = state.clock;
    // A reassignment the engine made late (on the contact's next fact) is news from now on.
    const handover = {
      repId: assignment.repId,
      at: Math.max(assignment.at, now),
      deadlineAt:
        clock !== undefined && clock.startedAt === assignment.at ? clock.deadlineAt : assignment.at + day,
    };
    let facts: SimulatedFact[];
    if (reassigned && (current?.started === true || state.episode.feedback !== undefined)) {
      // Someone already worked it: the new owner introduces themself and carries on.
      const remaining = current === undefined ? [] : current.stream.facts.slice(current.stream.position);
      facts = [...run.sales.takeOver(handover), ...remaining].sort((a, b) => a.at.getTime() - b.at.getTime());
    } else {
      facts = run.sales.work(handover);
    }
    const first = facts[0];
    if (first === undefined) return;
    run.plans += 1;
    const stream: Stream = { facts, position: 0, at: first.at.getTime(), contact: index, rank: run.plans };
    const plan: Plan = { repId: assignment.repId, started: false, cancelled: false, stream };
    stream.plan = plan;
    run.plan = plan;
    streams.push(stream);
  };
  /** The last assignment of each contact counts (an overdue lead may be reassigned twice at once). */
  const follow = (assignments: readonly Assignment[], now: number) => {
    const last = new Map(assignments.map((assignment) => [assignment.contactId, assignment]));
    for (const assignment of last.values()) handOver(assignment, now);
  };

  for (;;) {
    const top = streams.peek();
    const factAt = top?.at ?? Number.POSITIVE_INFINITY;
    const arrival = arrivals[next];
    if (arrival !== undefined && arrival.at <= factAt) {
      next += 1;
      const story = simulateContact(context, arrival);
      runs.set(arrival.index, { sales: story.sales, plans: 0 });
      const first = story.facts[0];
      if (first !== undefined)
        streams.push({
          facts: story.facts,
          position: 0,
          at: first.at.getTime(),
          contact: arrival.index,
          rank: 0,
        });
      continue;
    }
    if (top === undefined) return;

    let fact = top.facts[top.position] as SimulatedFact;
    top.position += 1;
    const following = top.facts[top.position];
    if (following === undefined) streams.pop();
    else {
      top.at = following.at.getTime();
      streams.update();
    }
    const plan = top.plan;
    if (plan !== undefined) {
      if (plan.cancelled) continue;
      const preview = engine.preview(fact);
      const owner = preview?.state.owner?.repId ?? null;
      // A lost deal ends the episode (the lead goes back to marketing): ask before it.
      const handedAt =
        fact.kind === 'deal-event' ? engine.stateOf(fact.contactIndex)?.handedAt : preview?.state.handedAt;
      if (preview === undefined || owner === null || handedAt === undefined) {
        plan.cancelled = true; // the lead is no longer any rep's to work
        continue;
      }
      plan.repId = owner;
      if (preview.effects.alerts.some((alert) => alert.kind === 'move-refused')) continue;
      if ((fact.kind === 'touch' || fact.kind === 'feedback') && fact.record.repId !== owner)
        fact = withRep(fact, owner);
      plan.started = true;
    }
    follow(engine.apply(fact).assignments, fact.at.getTime());
    yield fact;
  }
}

function withRep(fact: SimulatedFact & { kind: 'touch' | 'feedback' }, repId: string): SimulatedFact {
  return fact.kind === 'touch'
    ? { ...fact, record: { ...fact.record, repId } }
    : { ...fact, record: { ...fact.record, repId } };
}
