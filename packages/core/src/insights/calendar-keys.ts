import { localDay } from '../engine/calendar/zoned-time.ts';

const hourMs = 3_600_000;

/**
 * Local calendar labels of instants in a time zone, cached by the hour (zones shift by whole or
 * half hours at most on the hour, so every instant of one UTC hour falls on one local day, except
 * for zones with 30- or 45-minute offsets, whose day boundary is then off by under an hour).
 */
export function createCalendarKeys(timezone: string) {
  const days = new Map<number, string>();
  const dayOf = (at: number): string => {
    const hour = Math.floor(at / hourMs);
    let day = days.get(hour);
    if (day === undefined) {
      day = localDay(new Date(hour * hourMs), timezone);
      days.set(hour, day);
    }
    return day;
  };
  return {
    /** `YYYY-MM` */
    month: (at: number) => dayOf(at).slice(0, 7),
    /** The local Monday of the instant's week, `YYYY-MM-DD`. */
    week: (at: number) => {
      const day = dayOf(at);
      const date = new Date(`${day}T00:00:00Z`);
      const offset = (date.getUTCDay() + 6) % 7;
      return new Date(date.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    },
  };
}
