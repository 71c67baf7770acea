import { formatDuration } from '../format.ts';
import { useNow } from '../use-api.ts';

/** Time left to a deadline, live; once passed, how long overdue. */
export function Countdown({ deadline }: { deadline: string }) {
  const now = useNow();
  const left = new Date(deadline).getTime() - now;
  const urgent = left < 2 * 3_600_000;
  return (
    <time
      dateTime={deadline}
      className={`countdown ${left < 0 ? 'countdown-overdue' : urgent ? 'countdown-urgent' : ''}`}
      title={new Date(deadline).toLocaleString()}
    >
      {left < 0 ? `${formatDuration(left, 3)} overdue` : `${formatDuration(left, 3)} left`}
    </time>
  );
}
