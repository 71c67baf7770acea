import type { Agreement, QuadrantId, Team } from '../agreement/agreement-schema.ts';
import type { Condition, TraitCondition } from '../agreement/condition.ts';
import { parseDuration } from '../agreement/duration.ts';
import type { Traits } from '../ingest/records.ts';
import { careersPages, pricingPages } from './catalog.ts';
import type { Random } from './random.ts';

/**
 * What the simulator reads from an agreement: which event names and page paths its activities
 * recognise, the fit points of a set of traits, the interest points of a history, the quadrant,
 * routing and the feedback reasons. It approximates the engine closely enough for the simulated
 * sales team to work the leads the agreement would hand over; it is not the scoring engine.
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

type HistoryEntry = { at: number; activityIds: readonly string[] };

type ReasonLists = {
  reject: readonly string[];
  recycle: readonly { id: string; afterDays: number }[];
  lost: readonly string[];
};

export type AgreementModel = {
  agreement: Agreement;
  behaviours: Record<BehaviourId, ResolvedBehaviour>;
  /** The ids of the agreement activities an event counts as, in the agreement's order. */
  classify(event: ClassifiableEvent): readonly string[];
  fitPoints(traits: Traits): number;
  /** The grade of a fit score; undefined when the agreement has no grades or no band holds it. */
  fitGrade(points: number): string | undefined;
  /** The grade with the lowest band (the one the default MQL rule keeps away from sales). */
  lowestGrade: string | undefined;
  /** Interest points at `at` from the entries of `history` up to then (oldest first). */
  interestAt(history: readonly HistoryEntry[], at: number): number;
  quadrantOf(fitPoints: number, interest: number): QuadrantId;
  /** Whether the quadrant's agreed action puts the lead in a rep's queue. */
  handsToSales(quadrant: QuadrantId): boolean;
  /** The first-touch deadline of a quadrant, in minutes (24 h when the agreement gives none). */
  firstTouchMinutes(quadrant: QuadrantId): number;
  /** The sales team that gets a contact, by routing rules, persona team, then the default. */
  routeTeam(traits: Traits): Team | undefined;
  /** A rep of the team, weighted by capacity; away reps get nothing. */
  pickRep(team: Team, random: Random): string | undefined;
  reasons: ReasonLists;
  /** The sales teams that have at least one rep who is not away. */
  staffedTeams: readonly Team[];
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

  const personas = new Map(agreement.personas.map((persona) => [persona.id, persona]));
  const holds = (condition: Condition, traits: Traits, depth = 0): boolean => {
    if (depth > 20) return false;
    if ('all' in condition) return condition.all.every((child) => holds(child, traits, depth + 1));
    if ('any' in condition) return condition.any.some((child) => holds(child, traits, depth + 1));
    if ('not' in condition) return !holds(condition.not, traits, depth + 1);
    if ('trait' in condition) return traitHolds(condition, traits[condition.trait]);
    if ('persona' in condition) {
      const persona = personas.get(condition.persona);
      return persona !== undefined && holds(persona.match, traits, depth + 1);
    }
    // Quadrant, activity, feedback, deal and fit-grade conditions need state a fit rule or a
    // routing rule rarely uses; the simulator treats them as not holding.
    return false;
  };

  const grades = agreement.fit.grades ?? [];
  const lowestGrade = [...grades].sort(
    (a, b) => (a.min ?? Number.NEGATIVE_INFINITY) - (b.min ?? Number.NEGATIVE_INFINITY),
  )[0]?.grade;

  const interest = agreement.interest;
  const activityById = new Map(agreement.interest.activities.map((activity) => [activity.id, activity]));
  const interestAt = (history: readonly HistoryEntry[], at: number): number => {
    const perActivity = new Map<string, number>();
    for (const entry of history) {
      if (entry.at > at) break;
      const weight = 0.5 ** ((at - entry.at) / (interest.halfLifeDays * 86_400_000));
      for (const id of entry.activityIds) {
        const points = activityById.get(id)?.points ?? 0;
        perActivity.set(id, (perActivity.get(id) ?? 0) + points * weight);
      }
    }
    const perGroup = new Map<string, number>();
    let total = 0;
    for (const [id, raw] of perActivity) {
      const activity = activityById.get(id);
      const capped = activity?.cap === undefined ? raw : Math.min(raw, activity.cap);
      if (activity?.group === undefined) total += capped;
      else perGroup.set(activity.group, (perGroup.get(activity.group) ?? 0) + capped);
    }
    for (const [group, sum] of perGroup) {
      const cap = interest.groupCaps[group];
      total += cap === undefined ? sum : Math.min(sum, cap);
    }
    for (const rule of interest.frequency) {
      const since = at - rule.withinDays * 86_400_000;
      let count = 0;
      for (const entry of history) {
        if (entry.at > at) break;
        if (entry.at >= since && entry.activityIds.includes(rule.activity)) count += 1;
      }
      if (count >= rule.atLeast) total += rule.points;
    }
    return interest.totalCap === undefined ? total : Math.min(total, interest.totalCap);
  };

  const { thresholds } = agreement.quadrants;
  const salesTeams = agreement.teams.filter((team) => team.kind === 'sales');
  const staffedTeams = salesTeams.filter((team) => team.reps.some((rep) => !rep.away));
  const teamById = new Map(staffedTeams.map((team) => [team.id, team]));

  return {
    agreement,
    behaviours,
    classify,
    fitPoints: (traits) =>
      agreement.fit.rules.reduce((sum, rule) => (holds(rule.when, traits) ? sum + rule.points : sum), 0),
    fitGrade: (points) =>
      grades.find(
        (band) =>
          (band.min === undefined || points >= band.min) && (band.max === undefined || points <= band.max),
      )?.grade,
    lowestGrade,
    interestAt,
    quadrantOf(fitPoints, interestPoints) {
      const fit = fitPoints >= thresholds.fit;
      const interested = interestPoints >= thresholds.interest;
      if (fit) return interested ? 'hot' : 'nurture';
      return interested ? 'fan' : 'drop';
    },
    handsToSales: (quadrant) => {
      const action = agreement.quadrants[quadrant].action;
      return action === 'hand-to-sales' || action === 'low-touch-sales';
    },
    firstTouchMinutes: (quadrant) => {
      const within = agreement.quadrants[quadrant].firstTouchWithin;
      return (within === undefined ? undefined : parseDuration(within)) ?? 24 * 60;
    },
    routeTeam(traits) {
      for (const rule of agreement.routing.rules) {
        const team = teamById.get(rule.team);
        if (team && holds(rule.when, traits)) return team;
      }
      for (const persona of agreement.personas) {
        const team = persona.team === undefined ? undefined : teamById.get(persona.team);
        if (team && holds(persona.match, traits)) return team;
      }
      return teamById.get(agreement.routing.defaultTeam) ?? staffedTeams[0];
    },
    pickRep(team, random) {
      const reps = team.reps.filter((rep) => !rep.away);
      if (reps.length === 0) return undefined;
      return random.weighted(reps.map((rep) => [rep.id, rep.capacity] as const));
    },
    reasons: {
      reject: agreement.feedback.rejectReasons.map((reason) => reason.id),
      recycle: agreement.feedback.recycleReasons.map((reason) => ({
        id: reason.id,
        afterDays: reason.recycleAfterDays ?? 30,
      })),
      lost: agreement.feedback.lostReasons.map((reason) => reason.id),
    },
    staffedTeams,
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

function traitHolds(condition: TraitCondition, value: Traits[string] | undefined): boolean {
  const present = value !== undefined && value !== null && value !== '';
  if (condition.exists !== undefined) return condition.exists === present;
  if (!present) return false;
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  const same = (expected: string | number | boolean) =>
    typeof expected === 'string' ? text === expected.toLowerCase() : value === expected;
  if (condition.equals !== undefined) return same(condition.equals);
  if (condition.in !== undefined) return condition.in.some(same);
  if (condition.notIn !== undefined) return !condition.notIn.some(same);
  if (condition.contains !== undefined) return text?.includes(condition.contains.toLowerCase()) === true;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return false;
  if (condition.between !== undefined)
    return number >= condition.between[0] && number <= condition.between[1];
  if (condition.gte !== undefined && number < condition.gte) return false;
  if (condition.lte !== undefined && number > condition.lte) return false;
  return condition.gte !== undefined || condition.lte !== undefined;
}
