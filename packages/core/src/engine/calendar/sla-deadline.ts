import { type Agreement, type QuadrantId, salesActions } from '../../agreement/agreement-schema.ts';
import { parseDuration } from '../../agreement/duration.ts';
import { addBusinessTime, type BusinessCalendar } from './business-time.ts';
import { calendarForTeam } from './calendar-for-team.ts';

export type SlaDeadline = {
  deadline: Date;
  /** True when the deadline counts only the team's business hours. */
  businessHours: boolean;
  /** The quadrant's `firstTouchWithin`, as written in the agreement. */
  within: string;
  /**
   * Set when the quadrant asks for business hours but the team has none (or is unknown), so the
   * deadline counts wall-clock time instead.
   */
  fallback?: 'no-team-calendar';
};

export type SlaDeadlineInput = {
  /** When the lead was handed to sales: the first-touch clock starts here. */
  handedAt: Date;
  quadrant: QuadrantId;
  /** The team the lead was routed to. */
  teamId: string;
};

const minuteMs = 60_000;

function durationMs(text: string): number {
  const minutes = parseDuration(text);
  if (minutes === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return minutes * minuteMs;
}

/**
 * The first-touch deadline of a lead handed to sales in `quadrant`, or undefined when the
 * quadrant's action does not put the lead in a rep's queue. With `businessHours: true`, the
 * duration counts open time in the team's calendar, and "3d" means three business days.
 */
export function slaDeadline(agreement: Agreement, input: SlaDeadlineInput): SlaDeadline | undefined {
  const quadrant = agreement.quadrants[input.quadrant];
  if (!salesActions.includes(quadrant.action) || quadrant.firstTouchWithin === undefined) return undefined;
  const within = quadrant.firstTouchWithin;
  const duration = durationMs(within);
  if (!quadrant.businessHours) {
    return { deadline: addBusinessTime(input.handedAt, duration, null), businessHours: false, within };
  }
  const calendar = calendarForTeam(agreement, input.teamId);
  if (calendar === undefined) {
    return {
      deadline: addBusinessTime(input.handedAt, duration, null),
      businessHours: false,
      within,
      fallback: 'no-team-calendar',
    };
  }
  return {
    deadline: addBusinessTime(input.handedAt, openDuration(within, duration, calendar), calendar),
    businessHours: true,
    within,
  };
}

/**
 * A deadline in business hours counts open time; whole days written as days ("3d") mean that
 * many business days, each as long as the calendar's working day, as people read them.
 */
function openDuration(within: string, durationMs: number, calendar: BusinessCalendar): number {
  const days = /^\s*(\d+)\s*d\s*$/.exec(within)?.[1];
  if (days === undefined) return durationMs;
  return Number(days) * (minutesOf(calendar.end) - minutesOf(calendar.start)) * minuteMs;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

export type EscalationAction = Agreement['sla']['sales']['escalation'][number]['action'];

export type EscalationStep = {
  /** When the step fires: the deadline plus the step's `after`, in wall-clock time. */
  at: Date;
  action: EscalationAction;
  /** 1 for the first step in the agreement, 2 for the second… */
  step: number;
};

/** The escalation steps for a first-touch deadline that passes without a qualifying touch. */
/**
 * When escalation step `index` (0 = the first) of a clock with this deadline is due, epoch ms:
 * `escalationSteps(…)[index].at`, without building every step (the engine asks on every fact
 * of a contact whose clock is breached).
 */
export function escalationAt(agreement: Agreement, deadlineAt: number, index: number): number | undefined {
  const escalation = agreement.sla.sales.escalation[index];
  if (escalation === undefined) return undefined;
  let ms = durations.get(escalation.after);
  if (ms === undefined) {
    ms = durationMs(escalation.after);
    durations.set(escalation.after, ms);
  }
  return new Date(new Date(deadlineAt).getTime() + ms).getTime();
}

const durations = new Map<string, number>();

export function escalationSteps(agreement: Agreement, deadline: Date): EscalationStep[] {
  return agreement.sla.sales.escalation.map((escalation, index) => ({
    at: new Date(deadline.getTime() + durationMs(escalation.after)),
    action: escalation.action,
    step: index + 1,
  }));
}
