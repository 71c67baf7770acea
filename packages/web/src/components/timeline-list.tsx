import type { TimelineEntry } from '../api/types.ts';
import { formatDateTime, humanize } from '../format.ts';

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

const verdicts: Record<string, string> = { accept: 'Accepted', reject: 'Rejected', recycle: 'Recycled' };

/** Why a stage changed, when the transition has no reason of its own. */
function causeOf(data: Record<string, unknown>, stage: string): string {
  const ruleId = text(data.ruleId);
  switch (text(data.cause)) {
    case 'rule':
      return ruleId?.startsWith('entry:') ? `Met the agreed entry rule of ${stage}` : `Rule ${ruleId ?? ''}`;
    case 'person':
      return `Moved by ${text(data.actor) ?? 'a person'}`;
    case 'import':
      return 'Imported history';
    default:
      return 'Entered the funnel';
  }
}

type Described = { title: string; detail?: string | undefined; tag: string };

/** One line of the timeline in words: what happened, and the detail worth a glance. */
function describe(entry: TimelineEntry, labels: (id: string) => string): Described {
  const data = entry.data;
  switch (entry.source) {
    case 'activity': {
      const activityType = text(data.activityType);
      switch (entry.kind) {
        case 'page':
        case 'screen':
          return {
            tag: 'Page view',
            title: `Viewed ${text(data.title) ?? text(data.path) ?? 'a page'}`,
            detail: text(data.path),
          };
        case 'track':
          return {
            tag: 'Event',
            title: text(data.event) ?? 'Event',
            detail: activityType
              ? `Counts as ${humanize(activityType).toLowerCase()}`
              : 'Not an activity the agreement scores',
          };
        case 'identify':
          return { tag: 'Identify', title: 'Identified themselves', detail: 'Traits updated' };
        case 'group':
          return { tag: 'Account', title: 'Joined an account' };
        default:
          return { tag: humanize(entry.kind), title: humanize(entry.kind) };
      }
    }
    case 'touch':
      return {
        tag: 'Touch',
        title: `${humanize(entry.kind)} by ${labels(text(data.repId) ?? 'a rep')}`,
        detail: text(data.outcome),
      };
    case 'transition': {
      const from = text(data.fromStage);
      const to = text(data.toStage) ?? '?';
      return {
        tag: 'Stage',
        title: from ? `${labels(from)} → ${labels(to)}` : `Entered ${labels(to)}`,
        detail: text(data.reason) ?? causeOf(data, labels(to)),
      };
    }
    case 'feedback': {
      const rating = typeof data.rating === 'number' ? `rated ${data.rating}/5` : undefined;
      const reason = text(data.reason);
      return {
        tag: 'Feedback',
        title: `${verdicts[entry.kind] ?? humanize(entry.kind)} by ${labels(text(data.repId) ?? 'a rep')}`,
        detail:
          [reason ? labels(reason) : undefined, rating, text(data.comment)].filter(Boolean).join(' · ') ||
          undefined,
      };
    }
    case 'deal-event':
      return {
        tag: 'Deal',
        title: `Deal ${text(data.name) ?? ''} ${entry.kind.replace('-', ' ')}`.replace(/\s+/g, ' '),
        detail: [text(data.stage), data.amount ? `${data.amount} ${text(data.currency) ?? ''}` : undefined]
          .filter(Boolean)
          .join(' · '),
      };
    case 'reassignment': {
      const actor = text(data.actorName) ?? text(data.actor)?.replace(/^user /, '') ?? 'a manager';
      return {
        tag: 'Reassigned',
        title: `Reassigned to ${labels(text(data.toRepId) ?? 'a rep')} by ${actor}`,
        detail: text(data.reason) ?? 'No reason given',
      };
    }
  }
}

/** The lead's history, newest first. `labels` turns stage, reason and rep ids into the agreement's words. */
export function TimelineList({
  entries,
  labels,
}: {
  entries: TimelineEntry[];
  labels: (id: string) => string;
}) {
  return (
    <ol className="timeline">
      {entries.map((entry) => {
        const described = describe(entry, labels);
        return (
          <li key={`${entry.source}:${entry.id}`} className={`timeline-entry source-${entry.source}`}>
            <time dateTime={entry.occurredAt} className="timeline-time">
              {formatDateTime(entry.occurredAt)}
            </time>
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-body">
              <span className="timeline-tag">{described.tag}</span>
              <span className="timeline-title">{described.title}</span>
              {described.detail && <span className="timeline-detail">{described.detail}</span>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
