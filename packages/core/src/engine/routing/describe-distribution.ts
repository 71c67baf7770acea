import type { Agreement } from '../../agreement/agreement-schema.ts';
import { teamTimezone } from '../calendar/calendar-for-team.ts';
import { localDay } from '../calendar/zoned-time.ts';
import type { RoutingState } from './routing-state.ts';

export type RepDistribution = {
  repId: string;
  name: string;
  capacity: number;
  away: boolean;
  assignedTotal: number;
  assignedToday: number;
  /** The rep's share of new leads by capacity among the team's reps who are not away (0..1). */
  expectedShare: number;
  /** The rep's share of the leads routed to the team's current reps so far (0..1). */
  actualShare: number;
};

export type TeamDistribution = {
  teamId: string;
  /** The local day `assignedToday` counts, or undefined before the team's first lead. */
  day: string | undefined;
  assignedTotal: number;
  reps: RepDistribution[];
};

/**
 * How a team's leads have been shared out, next to how capacity says they should be, so both
 * teams can see routing is fair. With `at`, counts for a local day other than `at`'s read as 0.
 * Reps no longer in the agreement are left out. Undefined for an unknown team.
 */
export function describeDistribution(
  agreement: Agreement,
  state: RoutingState,
  teamId: string,
  at?: Date,
): TeamDistribution | undefined {
  const team = agreement.teams.find((candidate) => candidate.id === teamId);
  if (team === undefined) return undefined;
  const teamState = state.teams[teamId];
  const day = at === undefined ? teamState?.day : localDay(at, teamTimezone(agreement, team));
  const today = teamState !== undefined && teamState.day === day ? teamState.assignedToday : {};
  const totals = team.reps.map((rep) => teamState?.assignedTotal[rep.id] ?? 0);
  const assignedTotal = totals.reduce((sum, value) => sum + value, 0);
  const availableCapacity = team.reps.filter((rep) => !rep.away).reduce((sum, rep) => sum + rep.capacity, 0);
  return {
    teamId,
    day,
    assignedTotal,
    reps: team.reps.map((rep, index) => {
      const total = totals[index] ?? 0;
      return {
        repId: rep.id,
        name: rep.name,
        capacity: rep.capacity,
        away: rep.away,
        assignedTotal: total,
        assignedToday: today[rep.id] ?? 0,
        expectedShare: rep.away || availableCapacity === 0 ? 0 : rep.capacity / availableCapacity,
        actualShare: assignedTotal === 0 ? 0 : total / assignedTotal,
      };
    }),
  };
}
