import type { TouchKind } from '../agreement/agreement-schema.ts';
import type { FeedbackKind } from '../agreement/condition.ts';
import type {
  AccountRecord,
  ContactRef,
  DealEventRecord,
  FeedbackRecord,
  SegmentMessage,
} from '../ingest/records.ts';
import type { AgreementModel, BehaviourId, ResolvedBehaviour } from './agreement-model.ts';
import { day, hour, isoDate, minute, nextQuarterStart, toWorkingTime } from './calendar.ts';
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
import type { SimulatedFact } from './simulate.ts';
import {
  acceptOddsEffect,
  baseAcceptRate,
  baseWinRate,
  dealAmountMedian,
  dealAmountSigma,
  fitOddsEffect,
  type SourceTruth,
  salesCycleMedianDays,
  winOddsMultipliers,
} from './truth.ts';
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
type HistoryItem = { at: number; activityIds: readonly string[]; behaviour: BehaviourId | undefined };

const streams = { contact: 1, rep: 3 } as const;
const baseWinOdds = baseWinRate / (1 - baseWinRate);
const dealStages = ['discovery', 'demo', 'proposal', 'negotiation'] as const;

/**
 * Everything one contact does and has done to it, in time order and before the end of the
 * simulation: anonymous visits, the conversion that identifies it, later activities, then the
 * sales side (touches, feedback, a deal) whenever the agreement would hand it to sales.
 * Deterministic in (seed, index): a contact's story does not depend on the others'.
 */
export function simulateContact(context: JourneyContext, arrival: Arrival): SimulatedFact[] {
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
  const fitPoints = model.fitPoints(traits);
  const grade = model.fitGrade(fitPoints);
  // The account's rep for this contact's team: every contact of a company meets the same rep.
  const team = model.routeTeam(traits);
  const repRandom = person.company ? createRandom(seed, streams.rep, person.company.index) : random;
  const repId = team ? model.pickRep(team, repRandom) : undefined;

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
  const remember = (at: number, activityIds: readonly string[], behaviour: BehaviourId | undefined) => {
    history.push({ at, activityIds, behaviour });
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
    remember(at, model.classify({ type: 'page', path: target.path }), behaviour);
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
    remember(at, model.classify({ type: 'track', event }), behaviour);
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
    if (!converts) return finish(facts, context.endMs);
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
  if (source.id === 'outbound' && repId !== undefined) {
    // Prospecting touches come first; some prospects click through from a rep's e-mail.
    outboundReply = outboundSequence(repId, t);
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

  // --- Sales: hand-overs, touches, feedback and deals ------------------------------------------
  history.sort((a, b) => a.at - b.at);
  if (repId === undefined) return finish(facts, context.endMs);

  let eligibleFrom = identifiedAt;
  let handovers = 0;
  let demoSoFar = false;
  for (const item of history) {
    if (item.behaviour === 'demo-request') demoSoFar = true;
    if (item.at < eligibleFrom || handovers >= 2 || item.at >= context.endMs) continue;
    const interest = model.interestAt(history, item.at);
    const quadrant = model.quadrantOf(fitPoints, interest);
    const demoRule = demoSoFar && grade !== model.lowestGrade;
    if (!model.handsToSales(quadrant) && !demoRule) continue;
    handovers += 1;
    const deadline = model.firstTouchMinutes(model.handsToSales(quadrant) ? quadrant : 'hot') * minute;
    const next = workLead(repId, item.at + minute, deadline);
    if (next === undefined) break;
    eligibleFrom = next;
  }
  return finish(facts, context.endMs);

  function outboundSequence(rep: string, from: number): number | undefined {
    let at = toWorkingTime(from + random.exponential(day), random);
    const steps = random.int(3, 5);
    for (let step = 0; step < steps; step += 1) {
      const kind: TouchKind =
        step === 0
          ? 'email'
          : random.weighted<TouchKind>([
              ['email', 5],
              ['call', 3],
              ['social', 2],
            ]);
      touch(rep, at, kind, kind === 'call' ? random.pick(['voicemail', 'no-answer']) : 'sent');
      if (kind === 'email' && random.chance(0.05 + 0.35 * intent))
        return at + Math.round(random.lognormal(3 * hour, 1));
      at = toWorkingTime(at + random.uniform(2, 4) * day, random);
    }
    return undefined;
  }

  function touch(rep: string, at: number, kind: TouchKind, outcome: string) {
    facts.push({
      at: new Date(at),
      contactIndex: index,
      kind: 'touch',
      record: {
        ref,
        repId: rep,
        kind,
        occurredAt: new Date(at),
        outcome,
        externalId: `sim:touch-${tag}-${counter++}`,
        source: 'simulator',
      },
    });
  }

  function feedback(rep: string, at: number, verdict: FeedbackKind, reason: string | undefined) {
    const record: FeedbackRecord = {
      ref,
      repId: rep,
      verdict,
      occurredAt: new Date(at),
      externalId: `sim:feedback-${tag}-${counter++}`,
      source: 'simulator',
    };
    if (reason !== undefined) record.reason = reason;
    if (random.chance(0.6)) {
      const score = 1 + 4 * (0.65 * person.fit + 0.35 * intent) + random.normal(0, 0.6);
      record.rating = Math.min(5, Math.max(1, Math.round(score))) as 1 | 2 | 3 | 4 | 5;
    }
    facts.push({ at: new Date(at), contactIndex: index, kind: 'feedback', record });
  }

  /** Works a handed-over lead; returns when it may be handed over again, or undefined if never. */
  function workLead(rep: string, handedOverAt: number, deadline: number): number | undefined {
    if (random.chance(0.04)) return undefined; // nobody ever works it
    let at = toWorkingTime(handedOverAt + Math.max(2 * minute, random.lognormal(deadline / 10, 1.6)), random);
    const invalid = person.spam
      ? 'spam'
      : person.student
        ? 'student'
        : person.company?.competitor
          ? 'competitor'
          : random.chance(0.02)
            ? 'duplicate'
            : undefined;
    const attempts = random.int(3, 6);
    let reached = false;
    for (let attempt = 0; attempt < attempts && !reached; attempt += 1) {
      const kind = random.weighted<TouchKind>(
        attempt === 0
          ? [
              ['call', 55],
              ['email', 40],
              ['social', 5],
            ]
          : [
              ['email', 50],
              ['call', 45],
              ['sms', 5],
            ],
      );
      const p = kind === 'call' ? 0.3 + 0.4 * intent : kind === 'email' ? 0.15 + 0.35 * intent : 0.1;
      reached = invalid === undefined && random.chance(p);
      const outcome =
        kind === 'call'
          ? reached
            ? 'connected'
            : random.pick(['voicemail', 'no-answer'])
          : reached
            ? 'replied'
            : 'sent';
      touch(rep, at, kind, outcome);
      if (invalid !== undefined) break;
      if (!reached && attempt + 1 < attempts) at = toWorkingTime(at + random.uniform(1, 3.5) * day, random);
    }
    const decidedAt = toWorkingTime(at + random.lognormal(3 * hour, 1), random);
    if (invalid !== undefined) {
      feedback(rep, decidedAt, 'reject', reasonFrom(model.reasons.reject, invalid, random));
      return undefined;
    }
    if (!reached) {
      if (!random.chance(0.75)) return undefined;
      return recycle(rep, decidedAt, 'no-response');
    }
    if (random.chance(0.08)) return undefined; // worked, but the rep never says what came of it
    // A rep accepts what really looks like a buyer: the same fit and activities that win deals.
    const lift = Math.log(winOdds(decidedAt) / baseWinOdds);
    if (random.chance(sigmoid(logit(baseAcceptRate) + acceptOddsEffect * lift))) {
      feedback(rep, decidedAt, 'accept', undefined);
      openDeal(rep, decidedAt);
      return undefined;
    }
    if (person.fit < 0.35) {
      feedback(
        rep,
        decidedAt,
        'reject',
        reasonFrom(model.reasons.reject, random.chance(0.7) ? 'not-icp' : 'no-budget', random),
      );
      return undefined;
    }
    if ((person.seniority === 'individual' || person.seniority === 'manager') && random.chance(0.5)) {
      return recycle(rep, decidedAt, 'wrong-contact');
    }
    if (random.chance(0.6)) return recycle(rep, decidedAt, 'not-now');
    feedback(rep, decidedAt, 'reject', reasonFrom(model.reasons.reject, 'no-budget', random));
    return undefined;
  }

  /** The odds of winning a deal, from true fit and the activities done up to `at` (see truth.ts). */
  function winOdds(at: number): number {
    const done = new Set<BehaviourId>();
    for (const item of history) if (item.at <= at && item.behaviour !== undefined) done.add(item.behaviour);
    let odds = baseWinOdds * Math.exp(fitOddsEffect * (person.fit - 0.5));
    for (const behaviour of done) odds *= winOddsMultipliers[behaviour];
    return odds;
  }

  function recycle(rep: string, at: number, preferred: string): number | undefined {
    const reasons = model.reasons.recycle;
    const reason =
      reasons.find((r) => r.id === preferred) ?? (reasons.length > 0 ? random.pick(reasons) : undefined);
    feedback(rep, at, 'recycle', reason?.id);
    return at + (reason?.afterDays ?? 30) * day;
  }

  function openDeal(rep: string, acceptedAt: number) {
    let at = toWorkingTime(acceptedAt + random.uniform(1, 6) * day, random);
    if (random.chance(0.85)) touch(rep, at, 'meeting', 'held');
    if (!random.chance(0.85)) return;
    at += Math.round(random.uniform(hour, 2 * day));
    const createdAt = toWorkingTime(at, random);
    const odds = winOdds(createdAt);
    const won = random.chance(odds / (1 + odds));

    const tier = person.company?.tier ?? 'small';
    let amount = Math.max(1000, roundTo(random.lognormal(dealAmountMedian[tier], dealAmountSigma), 500));
    const cycle = Math.max(7, random.lognormal(salesCycleMedianDays[tier], 0.5)) * day;
    let closedAt = createdAt + cycle * (won ? random.uniform(0.85, 1.15) : random.uniform(0.3, 1.4));
    const quarterEnd = nextQuarterStart(closedAt);
    if (won && quarterEnd - closedAt < 21 * day && random.chance(0.5)) {
      closedAt = quarterEnd - random.uniform(0.3, 4) * day; // the end-of-quarter push
    }
    closedAt = toWorkingTime(closedAt, random);

    const dealId = `sim:deal-${tag}`;
    const company = person.company;
    const account: AccountRecord | undefined = company
      ? {
          crmId: `sim:account-${seed}-${company.index}`,
          domain: company.domain,
          name: company.name,
          traits: companyTraits(company),
        }
      : undefined;
    const plan = tier === 'enterprise' ? 'Enterprise' : tier === 'mid-market' ? 'Growth' : 'Starter';
    let eventNumber = 0;
    const dealEvent = (
      eventAt: number,
      fields: Omit<DealEventRecord, 'ref' | 'dealId' | 'occurredAt' | 'source'>,
    ) => {
      facts.push({
        at: new Date(eventAt),
        contactIndex: index,
        kind: 'deal-event',
        record: {
          ref,
          dealId,
          ...fields,
          occurredAt: new Date(eventAt),
          externalId: `${dealId}:${eventNumber++}`,
          source: 'simulator',
        },
      });
    };
    dealEvent(createdAt, {
      kind: 'created',
      name: `${company?.name ?? `${person.firstName} ${person.lastName}`} - ${plan}`,
      ...(account ? { account } : {}),
      stage: dealStages[0],
      amount: String(amount),
      currency: context.currency,
      closeDate: isoDate(createdAt + cycle),
    });
    const reached = won ? dealStages.length : random.int(1, dealStages.length);
    const fractions = [0, 0.15, 0.45, 0.75];
    for (let stage = 1; stage < reached; stage += 1) {
      const stageAt = createdAt + (closedAt - createdAt) * (fractions[stage] ?? 0.5);
      dealEvent(stageAt, { kind: 'stage-changed', stage: dealStages[stage] });
      if (stage === dealStages.length - 1 && won && random.chance(0.25)) {
        amount = Math.max(1000, roundTo(amount * random.uniform(0.8, 0.95), 500));
        dealEvent(stageAt + hour, {
          kind: 'amount-changed',
          amount: String(amount),
          currency: context.currency,
        });
      }
    }
    if (won) {
      dealEvent(closedAt, {
        kind: 'won',
        stage: 'closed-won',
        amount: String(amount),
        currency: context.currency,
        closeDate: isoDate(closedAt),
      });
    } else {
      const reason = reasonFrom(model.reasons.lost, lostReason(random), random);
      dealEvent(closedAt, {
        kind: 'lost',
        stage: 'closed-lost',
        closeDate: isoDate(closedAt),
        ...(reason ? { reason } : {}),
      });
    }
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

function lostReason(random: Random): string {
  return random.weighted([
    ['price', 30],
    ['competitor-won', 25],
    ['no-decision', 35],
    ['missing-feature', 10],
  ]);
}

/** The preferred reason when the agreement has it, otherwise any of its reasons (none: undefined). */
function reasonFrom(reasons: readonly string[], preferred: string, random: Random): string | undefined {
  if (reasons.includes(preferred)) return preferred;
  return reasons.length > 0 ? random.pick(reasons) : undefined;
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}
