import type { ContactRef, SegmentMessage } from '../ingest/records.ts';
import type { AgreementModel, BehaviourId, ResolvedBehaviour } from './agreement-model.ts';
import { day, hour, isoDate, minute, toWorkingTime } from './calendar.ts';
import {
  blogPosts,
  browsePages,
  contentPieces,
  noiseEvents,
  noisePages,
  partners,
  siteUrl,
  tradeShows,
  userAgents,
  webinarTopics,
} from './catalog.ts';
import { createRandom, type Random } from './random.ts';
import { createSalesWork, type Lead, logit, type SalesWork, sigmoid } from './sales-work.ts';
import type { SimulatedFact } from './simulate.ts';
import type { SourceTruth } from './truth.ts';
import { type CompanyPool, companyTraits, createPerson, traitsOf } from './world.ts';

/** What every contact's journey shares. */
export type JourneyContext = {
  seed: number;
  model: AgreementModel;
  pool: CompanyPool;
  endMs: number;
  currency: string;
  /** Webinar start times (ms), ascending. */
  webinarSlots: readonly number[];
};

/** A contact's first appearance: when, through which source, and its index in the simulation. */
export type Arrival = { index: number; at: number; source: SourceTruth };

type Page = { path: string; title: string };
type Campaign = { source: string; medium: string; name?: string };
type HistoryItem = { at: number; behaviour: BehaviourId | undefined };

/**
 * One contact's story: what it does on the marketing side, and how sales works it once the
 * engine hands it over (see `follow-engine.ts`, which decides when and to whom).
 */
export type ContactStory = {
  /** Its marketing facts (Segment messages), in time order and before the end of the simulation. */
  facts: SimulatedFact[];
  sales: SalesWork;
};

const streams = { contact: 1 } as const;

/**
 * Everything one contact does: anonymous visits, the conversion that identifies it, later
 * activities. Deterministic in (seed, index): a contact's marketing does not depend on the
 * others', nor on what sales does.
 */
export function simulateContact(context: JourneyContext, arrival: Arrival): ContactStory {
  const { seed, model } = context;
  const { index, source } = arrival;
  const random = createRandom(seed, streams.contact, index);
  const latentFit = sigmoid(logit(source.fitMean) + random.normal(0, 1));
  const intent = sigmoid(logit(source.intentMean) + random.normal(0, 0.9));
  const person = createPerson(random, context.pool, {
    index,
    latentFit,
    studentChance: source.id === 'organic-search' ? 0.05 : source.id === 'outbound' ? 0 : 0.015,
  });
  const jobSeeker = person.student || random.chance(0.02);
  const traits = traitsOf(person, source.label);

  const tag = `${seed}-${index}`;
  const anonymousId = `anon-${random.hex(20)}`;
  const userId = `sim-${seed}-u${index}`;
  const ref: ContactRef = { email: person.email, crmId: `sim:contact-${tag}` };
  const context_ = {
    ip: `${random.int(23, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    userAgent: random.pick(userAgents),
  };
  const facts: SimulatedFact[] = [];
  const history: HistoryItem[] = [];
  let counter = 0;
  let identifiedAt = Number.POSITIVE_INFINITY;
  let subscribed = source.id !== 'outbound';
  let demoRequested = false;
  let pricingSeen = false;

  // --- Segment messages -------------------------------------------------------------------
  const segment = (at: number, message: Record<string, unknown>) => {
    const identity = at >= identifiedAt ? { anonymousId, userId } : { anonymousId };
    const full: SegmentMessage = {
      ...message,
      messageId: `sim-${tag}-${counter++}`,
      timestamp: new Date(at).toISOString(),
      ...identity,
    };
    facts.push({ at: new Date(at), contactIndex: index, kind: 'segment', message: full });
  };
  const remember = (at: number, behaviour: BehaviourId | undefined) => {
    history.push({ at, behaviour });
  };
  const page = (at: number, target: Page, behaviour: BehaviourId, campaign?: Campaign, referrer?: string) => {
    const query = campaign
      ? `?utm_source=${campaign.source}&utm_medium=${campaign.medium}${campaign.name ? `&utm_campaign=${campaign.name}` : ''}`
      : '';
    const url = `${siteUrl}${target.path}${query}`;
    const pageContext: Record<string, string> = { path: target.path, url, title: target.title };
    if (referrer !== undefined) pageContext.referrer = referrer;
    segment(at, {
      type: 'page',
      name: target.title,
      properties: { ...pageContext },
      context: { ...context_, page: pageContext, ...(campaign ? { campaign } : {}) },
    });
    remember(at, behaviour);
    if (behaviour === 'pricing-view') pricingSeen = true;
  };
  const track = (
    at: number,
    behaviour: BehaviourId | undefined,
    event: string,
    properties: Record<string, unknown>,
    campaign?: Campaign,
  ) => {
    segment(at, {
      type: 'track',
      event,
      properties,
      context: { ...context_, ...(campaign ? { campaign } : {}) },
    });
    remember(at, behaviour);
  };
  const act = (
    at: number,
    behaviour: BehaviourId,
    properties: Record<string, unknown>,
    campaign?: Campaign,
  ) => {
    const resolved = model.behaviours[behaviour] as ResolvedBehaviour & { kind: 'track' };
    track(at, behaviour, resolved.event, properties, campaign);
  };
  const pagesOf = (behaviour: BehaviourId): readonly Page[] =>
    (model.behaviours[behaviour] as ResolvedBehaviour & { kind: 'page' }).pages;
  const identify = (at: number) => {
    identifiedAt = at;
    segment(at, { type: 'identify', traits: traits, context: { ...context_ } });
    if (person.company && person.emailType === 'business' && random.chance(0.55)) {
      segment(at + 2000, {
        type: 'group',
        groupId: `sim-${seed}-a${person.company.index}`,
        traits: companyTraits(person.company),
        context: { ...context_ },
      });
    }
    if (random.chance(0.02))
      segment(at + 3000, { type: 'alias', previousId: anonymousId, context: { ...context_ } });
  };

  /** A visit of a few pages, 20 s to 3 min apart; returns when it ended. */
  const session = (
    at: number,
    first: Page,
    behaviour: BehaviourId,
    count: number,
    campaign?: Campaign,
    referrer?: string,
  ) => {
    let t = at;
    page(t, first, behaviour, campaign, referrer);
    for (let n = 1; n < count; n += 1) {
      t += Math.round(random.uniform(20_000, 180_000));
      const [next, kind] = nextPage();
      page(t, next, kind);
    }
    return t;
  };
  const nextPage = (): [Page, BehaviourId] => {
    const roll = random.next();
    if (roll < 0.005 + 0.12 * intent ** 3) return [random.pick(pagesOf('pricing-view')), 'pricing-view'];
    if (jobSeeker && roll < 0.45) return [random.pick(pagesOf('careers-view')), 'careers-view'];
    if (roll > 0.95) return [random.pick(noisePages), 'page-view'];
    if (roll > 0.8) return [random.pick(blogPosts), 'page-view'];
    return [random.pick(browsePages), 'page-view'];
  };
  const nextWebinar = (after: number) => context.webinarSlots.find((slot) => slot > after + 2 * day);
  const register = (at: number, campaign?: Campaign) => {
    const slot = nextWebinar(at);
    if (slot === undefined) return;
    const topic = webinarTopics[
      Math.floor(slot / (14 * day)) % webinarTopics.length
    ] as (typeof webinarTopics)[number];
    const properties = {
      webinarId: `${topic.id}-${isoDate(slot)}`,
      title: topic.title,
      startsAt: new Date(slot).toISOString(),
    };
    act(at, 'webinar-registration', properties, campaign);
    if (random.chance(0.4 + 0.2 * intent)) {
      act(slot + Math.round(random.uniform(0, 6 * minute)), 'webinar-attendance', {
        ...properties,
        minutesWatched: Math.round(random.uniform(8, 60)),
      });
    }
  };

  // --- Marketing: first visits and the conversion -------------------------------------------
  let t = arrival.at;
  const firstCampaign = campaignFor(source, t, random);
  if (source.id === 'outbound') {
    identify(t);
  } else if (source.id === 'events') {
    identify(t);
    act(
      t + 1000,
      'form-submission',
      { form: 'badge-scan', event: firstCampaign?.name ?? 'trade-show' },
      firstCampaign,
    );
  } else {
    const landing = landingPage(source, intent, pagesOf('pricing-view')[0], random);
    const referrer = referrerFor(source, random);
    const visits = 1 + random.poisson(0.4 + 2 * intent);
    t = session(t, landing.page, landing.behaviour, random.int(1, 4), firstCampaign, referrer);
    for (let visit = 1; visit < visits; visit += 1) {
      t += Math.round(random.exponential((2 + 8 * (1 - intent)) * day));
      const [first, kind] = nextPage();
      t = session(t, first, kind, random.int(1, 5));
    }
    const converts =
      source.id === 'webinar'
        ? random.chance(0.9)
        : random.chance(0.3 + 0.55 * intent + (jobSeeker ? 0.2 : 0));
    if (!converts) return story();
    // At least 90 s after the last page, so the form's own page view comes after the arrival.
    t += Math.round(random.uniform(90_000, 300_000));
    identify(t);
    t += 1000;
    if (source.id === 'webinar') {
      register(t, firstCampaign);
    } else {
      const conversion = random.weighted<'content' | 'form' | 'demo'>([
        ['content', { 'organic-search': 5, 'paid-search': 3, partner: 3, referral: 1 }[source.id] ?? 2],
        ['form', { 'organic-search': 2, 'paid-search': 2, partner: 3, referral: 3 }[source.id] ?? 2],
        [
          'demo',
          ({ 'organic-search': 0.5, 'paid-search': 1.5, partner: 1.2, referral: 3 }[source.id] ?? 1) *
            (0.05 + 1.5 * intent ** 2),
        ],
      ]);
      if (conversion === 'content') download(t);
      else if (conversion === 'form')
        act(t, 'form-submission', { form: random.pick(['newsletter', 'contact-us']) });
      else requestDemo(t);
    }
  }

  function download(at: number) {
    const piece = random.pick(contentPieces);
    page(at - 40_000, { path: `/resources/${piece.id}`, title: piece.title }, 'page-view');
    act(at, 'content-download', { contentId: piece.id, title: piece.title, contentType: piece.type });
  }
  function requestDemo(at: number) {
    page(at - 60_000, { path: '/demo', title: 'Book a demo' }, 'page-view');
    act(at, 'demo-request', { form: 'demo', employees: person.company?.employees ?? null });
    demoRequested = true;
  }

  // --- Marketing: what it does after converting ----------------------------------------------
  let outboundReply: number | undefined;
  if (source.id === 'outbound') {
    // A prospecting sequence comes first; some prospects click through from one of its e-mails.
    outboundReply = outboundSequence(t);
    if (outboundReply !== undefined) {
      const campaign: Campaign = {
        source: 'outbound',
        medium: 'email',
        name: firstCampaign?.name ?? 'sdr-sequence',
      };
      act(outboundReply, 'email-click', { url: `${siteUrl}/customers` }, campaign);
      t = session(
        outboundReply + 2000,
        { path: '/customers', title: 'Customers' },
        'page-view',
        random.int(1, 4),
        campaign,
      );
    }
  }
  const engaged = source.id !== 'outbound' || outboundReply !== undefined;
  const episodes = random.poisson(engaged ? 0.4 + 7 * intent : 0.3) + (jobSeeker ? 2 : 0);
  for (let episode = 0; episode < episodes; episode += 1) {
    t += Math.round(random.exponential((3 + 25 * (1 - intent)) * day));
    if (t >= context.endMs) break;
    const kind = random.weighted<string>([
      ['browse', 3],
      ['email-click', subscribed ? 2 : 0],
      ['content', 1 + 0.5 * intent],
      ['webinar', 0.7],
      ['pricing', 0.05 + 2.5 * intent ** 2],
      // Seeing the price is often the step before asking for a demo.
      [
        'demo',
        demoRequested || person.spam
          ? 0
          : (0.02 + 0.9 * intent ** 3 * (0.5 + person.fit)) * (pricingSeen ? 2.5 : 1),
      ],
      ['unsubscribe', subscribed ? 0.5 * (1 - intent) ** 2 : 0],
      ['careers', jobSeeker ? 2.5 : 0.03],
      ['noise', 0.3],
    ]);
    if (kind === 'browse') {
      const [first, behaviour] = nextPage();
      t = session(t, first, behaviour, random.int(1, 5));
    } else if (kind === 'email-click') {
      const campaign: Campaign = {
        source: 'newsletter',
        medium: 'email',
        name: `nurture-${isoDate(t).slice(0, 7)}`,
      };
      const target = random.pick(blogPosts);
      act(t, 'email-click', { url: `${siteUrl}${target.path}` }, campaign);
      t = session(t + 3000, target, 'page-view', random.int(1, 3), campaign);
    } else if (kind === 'content') {
      download(t);
    } else if (kind === 'webinar') {
      register(t);
    } else if (kind === 'pricing') {
      const [first, ...more] = pagesOf('pricing-view');
      if (first) t = session(t, first, 'pricing-view', 1);
      if (more.length > 0 && random.chance(0.3)) page(t + 45_000, random.pick(more), 'pricing-view');
      if (!demoRequested && !person.spam && random.chance(0.08 + 0.4 * intent * (0.5 + person.fit))) {
        t += Math.round(random.exponential(2 * day));
        requestDemo(t);
      }
    } else if (kind === 'demo') {
      requestDemo(t);
    } else if (kind === 'unsubscribe') {
      act(t, 'unsubscribe', { list: 'newsletter' });
      subscribed = false;
      if (random.chance(0.7)) break; // most who unsubscribe are gone for good
    } else if (kind === 'careers') {
      t = session(t, random.pick(pagesOf('careers-view')), 'careers-view', random.int(1, 3));
    } else {
      track(t, undefined, random.pick(noiseEvents), { source: 'website' });
    }
  }

  return story();

  function story(): ContactStory {
    history.sort((a, b) => a.at - b.at);
    const lead: Lead = { index, tag, ref, person, intent, history, nextKey: () => counter++ };
    return { facts: finish(facts, context.endMs), sales: createSalesWork(context, lead) };
  }

  /**
   * The e-mails and calls of a prospecting sequence (sent by the sequencing tool, so they are not
   * a rep's touches on a lead sales was given); answers when the prospect replied, if it did.
   */
  function outboundSequence(from: number): number | undefined {
    let at = toWorkingTime(from + random.exponential(day), random);
    const steps = random.int(3, 5);
    for (let step = 0; step < steps; step += 1) {
      const kind =
        step === 0
          ? 'email'
          : random.weighted([
              ['email', 5],
              ['call', 3],
              ['social', 2],
            ]);
      if (kind === 'email' && random.chance(0.05 + 0.35 * intent))
        return at + Math.round(random.lognormal(3 * hour, 1));
      at = toWorkingTime(at + random.uniform(2, 4) * day, random);
    }
    return undefined;
  }
}

/** The facts before the end, in time order (stable, so same-instant facts keep their order). */
function finish(facts: SimulatedFact[], endMs: number): SimulatedFact[] {
  return facts.filter((fact) => fact.at.getTime() < endMs).sort((a, b) => a.at.getTime() - b.at.getTime());
}

function campaignFor(source: SourceTruth, at: number, random: Random): Campaign | undefined {
  const { source: utmSource, medium } = source.campaign;
  const quarter = `${new Date(at).getUTCFullYear()}-q${Math.floor(new Date(at).getUTCMonth() / 3) + 1}`;
  switch (source.id) {
    case 'organic-search':
    case 'referral':
      return undefined;
    case 'paid-search':
      return {
        source: utmSource,
        medium,
        name: random.pick(['brand', 'competitor-terms', 'lead-scoring-software']),
      };
    case 'webinar':
      return { source: utmSource, medium, name: `webinar-promo-${quarter}` };
    case 'events': {
      const show = tradeShows[new Date(at).getUTCMonth() % tradeShows.length] as string;
      return {
        source: utmSource,
        medium,
        name: `${show.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${new Date(at).getUTCFullYear()}`,
      };
    }
    case 'partner':
      return { source: random.pick(partners).id, medium, name: 'partner-referral' };
    default:
      return { source: utmSource, medium, name: `sdr-sequence-${quarter}` };
  }
}

function landingPage(
  source: SourceTruth,
  intent: number,
  pricing: Page | undefined,
  random: Random,
): { page: Page; behaviour: BehaviourId } {
  switch (source.id) {
    case 'organic-search':
      return { page: random.pick(blogPosts), behaviour: 'page-view' };
    case 'paid-search':
      return pricing && random.chance(0.05 + 0.4 * intent ** 2)
        ? { page: pricing, behaviour: 'pricing-view' }
        : { page: { path: '/product/lead-scoring', title: 'Lead scoring' }, behaviour: 'page-view' };
    case 'webinar': {
      const topic = random.pick(webinarTopics);
      return { page: { path: `/webinars/${topic.id}`, title: topic.title }, behaviour: 'page-view' };
    }
    case 'partner': {
      const partner = random.pick(partners);
      return {
        page: { path: `/partners/${partner.id}`, title: `Acme for ${partner.name} clients` },
        behaviour: 'page-view',
      };
    }
    default:
      return {
        page: { path: '/', title: 'Acme: one funnel for sales and marketing' },
        behaviour: 'page-view',
      };
  }
}

function referrerFor(source: SourceTruth, random: Random): string | undefined {
  if (source.id === 'organic-search' || source.id === 'paid-search') return 'https://www.google.com/';
  if (source.id === 'webinar') return 'https://www.linkedin.com/';
  if (source.id === 'referral')
    return `https://www.${random.pick(['northwind', 'bluepeak', 'cobalt'])}-customer.example/`;
  if (source.id === 'partner') return 'https://partners.example/';
  return undefined;
}
