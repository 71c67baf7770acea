import type { Agreement } from '../agreement/agreement-schema.ts';
import { careersPages, pricingPages } from './catalog.ts';

/**
 * What the simulator reads from an agreement to send facts it understands: which event names and
 * page paths its activities recognise, and the feedback reasons reps pick. Scoring, hand-overs
 * and routing are not modelled here: the simulator runs the engine itself (see `follow-engine.ts`).
 */

/** Things a simulated contact does, each sent as a Segment event the agreement should classify. */
export const behaviourIds = [
  'demo-request',
  'pricing-view',
  'webinar-registration',
  'webinar-attendance',
  'content-download',
  'form-submission',
  'email-click',
  'unsubscribe',
  'careers-view',
  'page-view',
] as const;
export type BehaviourId = (typeof behaviourIds)[number];

type TrackBehaviour = { kind: 'track'; event: string; activity: string };
type PageBehaviour = { kind: 'page'; pages: readonly { path: string; title: string }[]; activity: string };

/** The simulator's defaults, in the default agreement's words. */
const defaultBehaviours: Record<BehaviourId, TrackBehaviour | PageBehaviour> = {
  'demo-request': { kind: 'track', event: 'Demo Requested', activity: 'demo-requested' },
  'pricing-view': { kind: 'page', pages: pricingPages, activity: 'pricing-viewed' },
  'webinar-registration': { kind: 'track', event: 'Webinar Registered', activity: 'webinar-registered' },
  'webinar-attendance': { kind: 'track', event: 'Webinar Attended', activity: 'webinar-attended' },
  'content-download': { kind: 'track', event: 'Content Downloaded', activity: 'content-downloaded' },
  'form-submission': { kind: 'track', event: 'Form Submitted', activity: 'form-submitted' },
  'email-click': { kind: 'track', event: 'Email Link Clicked', activity: 'email-clicked' },
  unsubscribe: { kind: 'track', event: 'Unsubscribed', activity: 'unsubscribed' },
  'careers-view': { kind: 'page', pages: careersPages, activity: 'careers-viewed' },
  'page-view': { kind: 'page', pages: [{ path: '/', title: 'Home' }], activity: 'page-viewed' },
};

/** How one behaviour is sent, and the agreement activity it counts as (undefined: none matches). */
export type ResolvedBehaviour =
  | { id: BehaviourId; kind: 'track'; event: string; activityId: string | undefined }
  | {
      id: BehaviourId;
      kind: 'page';
      pages: readonly { path: string; title: string }[];
      activityId: string | undefined;
    };

type ClassifiableEvent = { type: 'track'; event: string } | { type: 'page'; path: string };

/** The ids of the agreement's feedback reasons, per list. */
type ReasonLists = {
  reject: readonly string[];
  recycle: readonly string[];
  lost: readonly string[];
};

export type AgreementModel = {
  agreement: Agreement;
  behaviours: Record<BehaviourId, ResolvedBehaviour>;
  /** The ids of the agreement activities an event counts as, in the agreement's order. */
  classify(event: ClassifiableEvent): readonly string[];
  reasons: ReasonLists;
};

export function createAgreementModel(agreement: Agreement): AgreementModel {
  const activities = agreement.interest.activities.map((activity) => ({
    activity,
    pagePatterns: activity.match.pages?.map(globToRegExp),
  }));
  const classifyCache = new Map<string, readonly string[]>();
  const classify = (event: ClassifiableEvent): readonly string[] => {
    const key = event.type === 'track' ? `t:${event.event}` : `p:${event.path}`;
    const cached = classifyCache.get(key);
    if (cached) return cached;
    const ids = activities
      .filter(({ activity, pagePatterns }) => {
        const { events, types } = activity.match;
        if (types !== undefined && types.length > 0 && !types.includes(event.type)) return false;
        if (events !== undefined && events.length > 0) {
          if (event.type !== 'track' || !events.includes(event.event)) return false;
        }
        if (pagePatterns !== undefined && pagePatterns.length > 0) {
          if (event.type !== 'page' || !pagePatterns.some((pattern) => pattern.test(event.path)))
            return false;
        }
        return true;
      })
      .map(({ activity }) => activity.id);
    classifyCache.set(key, ids);
    return ids;
  };

  const behaviours = Object.fromEntries(
    behaviourIds.map((id) => [id, resolveBehaviour(id, defaultBehaviours[id], agreement, classify)]),
  ) as Record<BehaviourId, ResolvedBehaviour>;

  return {
    agreement,
    behaviours,
    classify,
    reasons: {
      reject: agreement.feedback.rejectReasons.map((reason) => reason.id),
      recycle: agreement.feedback.recycleReasons.map((reason) => reason.id),
      lost: agreement.feedback.lostReasons.map((reason) => reason.id),
    },
  };
}

function resolveBehaviour(
  id: BehaviourId,
  fallback: TrackBehaviour | PageBehaviour,
  agreement: Agreement,
  classify: (event: ClassifiableEvent) => readonly string[],
): ResolvedBehaviour {
  const preferred = agreement.interest.activities.find((activity) => activity.id === fallback.activity);
  if (fallback.kind === 'track') {
    let event = fallback.event;
    // An agreement that names the activity but not our event name: send the name it expects.
    const expected = preferred?.match.events?.[0];
    if (classify({ type: 'track', event }).length === 0 && expected !== undefined) event = expected;
    return {
      id,
      kind: 'track',
      event,
      activityId: pickActivity(classify({ type: 'track', event }), fallback),
    };
  }
  let pages = fallback.pages;
  const globs = preferred?.match.pages;
  const recognised = (path: string) => classify({ type: 'page', path }).includes(fallback.activity);
  if (id !== 'page-view' && globs !== undefined && !pages.some((page) => recognised(page.path))) {
    pages = globs.map((glob) => ({ path: examplePath(glob), title: preferred?.label ?? glob }));
  }
  const matched = classify({ type: 'page', path: pages[0]?.path ?? '/' });
  if (id === 'page-view') return { id, kind: 'page', pages, activityId: pickActivity(matched, fallback) };
  // A specific page behaviour counts as an activity that names pages, not as a plain page view.
  const namesPages = new Set(
    agreement.interest.activities.filter((a) => (a.match.pages?.length ?? 0) > 0).map((a) => a.id),
  );
  return {
    id,
    kind: 'page',
    pages,
    activityId: pickActivity(
      matched.filter((activityId) => namesPages.has(activityId)),
      fallback,
    ),
  };
}

/** The activity a behaviour counts as: its namesake when it matches, else the first match. */
function pickActivity(
  matched: readonly string[],
  behaviour: TrackBehaviour | PageBehaviour,
): string | undefined {
  return matched.includes(behaviour.activity) ? behaviour.activity : matched[0];
}

/** A page path glob as a regular expression: `*` within one segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  const normalised = glob.length > 1 ? glob.replace(/\/+$/, '') : glob;
  let source = '';
  for (let i = 0; i < normalised.length; i += 1) {
    const char = normalised[i] as string;
    if (char === '*' && normalised[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}/?$`);
}

/** A concrete path a glob matches, for agreements whose pages the catalog does not have. */
function examplePath(glob: string): string {
  return glob.replace(/\*\*?/g, 'overview');
}
