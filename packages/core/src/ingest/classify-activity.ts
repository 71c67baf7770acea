import type { Agreement } from '../agreement/agreement-schema.ts';
import type { NormalizedMessage } from './segment-message.ts';

type ActivityDefinition = Agreement['interest']['activities'][number];

/**
 * Which of the agreement's activities a message is, so marketing can rename events without a
 * code change. Within one `match`, every listed field must hold (an event name from `events`,
 * a path from `pages`, a type from `types`). When several activities match, the most specific
 * wins (one with `pages` or `events` over one with `types` only), then the one listed first:
 * a view of /pricing is `pricing-viewed`, not the catch-all `page-viewed`.
 */
/** Compiles the classifier once per agreement version (globs to regular expressions). */
export function createActivityClassifier(
  agreement: Agreement,
): (message: NormalizedMessage) => string | undefined {
  const compiled = agreement.interest.activities.map((activity) => ({
    id: activity.id,
    specificity: specificityOf(activity),
    events: activity.match.events ? new Set(activity.match.events) : undefined,
    pages: activity.match.pages?.map(globToRegExp),
    types: activity.match.types ? new Set<string>(activity.match.types) : undefined,
  }));
  return (message) => {
    let best: { id: string; specificity: number } | undefined;
    for (const activity of compiled) {
      if (activity.types && !activity.types.has(message.type)) continue;
      if (
        activity.events &&
        !(message.type === 'track' && message.event && activity.events.has(message.event))
      )
        continue;
      if (activity.pages && !(message.path && activity.pages.some((page) => page.test(message.path ?? ''))))
        continue;
      if (!best || activity.specificity > best.specificity)
        best = { id: activity.id, specificity: activity.specificity };
    }
    return best?.id;
  };
}

function specificityOf(activity: ActivityDefinition): number {
  return (activity.match.pages ? 2 : 0) + (activity.match.events ? 2 : 0) + (activity.match.types ? 1 : 0);
}

/** `*` matches within one path segment, `**` across segments; a trailing slash is ignored. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? '';
    if (char === '*' && glob[index + 1] === '*') {
      pattern += '.*';
      index++;
    } else if (char === '*') {
      pattern += '[^/]*';
    } else {
      pattern += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern.replace(/\/$/, '')}/?$`, 'i');
}
