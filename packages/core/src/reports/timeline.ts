import type { Agreement } from '../agreement/agreement-schema.ts';

/**
 * A person's way through the stages, as reports read it. A person is a contact together with the
 * contacts merged into it (`coalesce(merged_into_id, id)`): identities that turned out to be one
 * person are counted once, with every transition of every one of them.
 */
export type TransitionInput = {
  /** The surviving contact (the contact itself when it was never merged). */
  personId: string;
  fromStage: string | null;
  toStage: string;
  /** Epoch milliseconds. */
  at: number;
  /** The fact order, to order transitions at the same instant. */
  seq: number;
};

export type StageEntry = { stage: string; at: number };
export type Timeline = { personId: string; entries: StageEntry[] };

/**
 * One timeline per person, oldest entry first: every transition of the person's contacts in time
 * order, except (a) the start of a merged contact after the person already started (its first
 * stage is not a new entry) and (b) a transition to the stage the person is already in.
 */
export function buildTimelines(rows: readonly TransitionInput[]): Timeline[] {
  const byPerson = new Map<string, TransitionInput[]>();
  for (const row of rows) {
    const list = byPerson.get(row.personId);
    if (list === undefined) byPerson.set(row.personId, [row]);
    else list.push(row);
  }
  const timelines: Timeline[] = [];
  for (const [personId, list] of byPerson) {
    list.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const entries: StageEntry[] = [];
    let current: string | undefined;
    for (const row of list) {
      if (row.fromStage === null && current !== undefined) continue;
      if (row.toStage === current) continue;
      entries.push({ stage: row.toStage, at: row.at });
      current = row.toStage;
    }
    timelines.push({ personId, entries });
  }
  return timelines.sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
}

/** The agreement's main stages in funnel order (detours are not funnel stages). */
export function mainStages(agreement: Agreement): { id: string; label: string }[] {
  return agreement.stages.map((stage) => ({ id: stage.id, label: stage.label }));
}

/**
 * The stage whose entries count as leads: the stage just before the one marketing delivers at
 * (`sla.marketing.stage`, `lead` before `mql` by default), or the first stage when that is the
 * first. A person becomes a *new lead* on its first-ever entry into this stage or any later one.
 */
export function leadStageOf(agreement: Agreement): string {
  const index = agreement.stages.findIndex((stage) => stage.id === agreement.sla.marketing.stage);
  const stage = agreement.stages[Math.max(0, index - 1)] ?? agreement.stages[0];
  if (stage === undefined) throw new Error('the agreement has no stages');
  return stage.id;
}

/** When the person first entered the lead stage or a later main stage, if ever. */
export function becameLeadAt(timeline: Timeline, agreement: Agreement): number | undefined {
  const rank = new Map(agreement.stages.map((stage, index) => [stage.id, index]));
  const leadRank = rank.get(leadStageOf(agreement)) ?? 0;
  return timeline.entries.find((entry) => (rank.get(entry.stage) ?? -1) >= leadRank)?.at;
}

/** A person's first entry into `stage` within [from, to), and how many more it made there. */
export function entriesIn(
  timeline: Timeline,
  stage: string,
  from: number,
  to: number,
): { first: StageEntry; index: number; more: number } | undefined {
  let found: { first: StageEntry; index: number; more: number } | undefined;
  timeline.entries.forEach((entry, index) => {
    if (entry.stage !== stage || entry.at < from || entry.at >= to) return;
    if (found === undefined) found = { first: entry, index, more: 0 };
    else found.more += 1;
  });
  return found;
}
