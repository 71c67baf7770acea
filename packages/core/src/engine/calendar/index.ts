export { addBusinessTime, type BusinessCalendar, businessTimeBetween } from './business-time.ts';
export { calendarForTeam, teamTimezone } from './calendar-for-team.ts';
export {
  type EscalationAction,
  type EscalationStep,
  escalationAt,
  escalationSteps,
  type SlaDeadline,
  type SlaDeadlineInput,
  slaDeadline,
} from './sla-deadline.ts';
export { localDay, type ZonedParts, zonedParts, zonedTimeToInstant } from './zoned-time.ts';
