/** What round-robin routing remembers about one team between leads. */
export type TeamRoutingState = {
  /** Smooth weighted round-robin credit per rep id; the eligible rep with the most goes next. */
  credit: Record<string, number>;
  /** The team's local day (`YYYY-MM-DD`) that `assignedToday` counts. */
  day?: string;
  assignedToday: Record<string, number>;
  assignedTotal: Record<string, number>;
};

/** Routing's memory, per team id; it changes only through routeLead, which returns a new one. */
export type RoutingState = { teams: Record<string, TeamRoutingState> };

export function emptyRoutingState(): RoutingState {
  return { teams: {} };
}

/** A copy of a team's state whose `assignedToday` counts local day `day` (empty on a new day). */
export function copyTeamStateForDay(teamState: TeamRoutingState | undefined, day: string): TeamRoutingState {
  return {
    credit: { ...teamState?.credit },
    day,
    assignedToday: teamState?.day === day ? { ...teamState.assignedToday } : {},
    assignedTotal: { ...teamState?.assignedTotal },
  };
}
