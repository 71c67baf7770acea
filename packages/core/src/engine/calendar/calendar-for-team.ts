import type { Agreement, Team } from '../../agreement/agreement-schema.ts';
import type { BusinessCalendar } from './business-time.ts';

/** The time zone a team works in: its own, or the agreement's. */
export function teamTimezone(agreement: Agreement, team: Team): string {
  return team.timezone ?? agreement.timezone;
}

/**
 * The business calendar of team `teamId`: its hours and holidays in its time zone (the agreement's
 * when the team names none). Undefined for an unknown team or a team without business hours.
 */
export function calendarForTeam(agreement: Agreement, teamId: string): BusinessCalendar | undefined {
  const team = agreement.teams.find((candidate) => candidate.id === teamId);
  // The schema fills in default hours, but an agreement built in code may leave them out.
  const hours: Team['businessHours'] | undefined = team?.businessHours;
  if (team === undefined || hours === undefined) return undefined;
  return {
    timezone: teamTimezone(agreement, team),
    days: [...hours.days],
    start: hours.start,
    end: hours.end,
    holidays: [...team.holidays],
  };
}
