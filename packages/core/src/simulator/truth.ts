import type { BehaviourId } from './agreement-model.ts';

/**
 * The true generating parameters of the simulated company. Closed-loop analysis run on the
 * simulated facts should rediscover these: which sources bring fit and intent, which activities
 * really make a deal more likely to close, and how fit matters. The constants here are the model;
 * `SimulationTruth` is what `simulate` hands back with them, resolved against the agreement.
 */

export type SourceTruth = {
  id: string;
  label: string;
  /** Share of new contacts. */
  share: number;
  /** Mean of its contacts' latent fit and intent, each in [0, 1]. */
  fitMean: number;
  intentMean: number;
  /** The UTM source and medium its first visit carries. */
  campaign: { source: string; medium: string };
};

export const sourceTruths: readonly SourceTruth[] = [
  {
    id: 'organic-search',
    label: 'Organic search',
    share: 0.27,
    fitMean: 0.4,
    intentMean: 0.3,
    campaign: { source: 'google', medium: 'organic' },
  },
  {
    id: 'paid-search',
    label: 'Paid search',
    share: 0.18,
    fitMean: 0.42,
    intentMean: 0.45,
    campaign: { source: 'google', medium: 'cpc' },
  },
  {
    id: 'webinar',
    label: 'Webinar',
    share: 0.12,
    fitMean: 0.52,
    intentMean: 0.4,
    campaign: { source: 'linkedin', medium: 'paid-social' },
  },
  {
    id: 'events',
    label: 'Events',
    share: 0.08,
    fitMean: 0.58,
    intentMean: 0.35,
    campaign: { source: 'event', medium: 'offline' },
  },
  {
    id: 'referral',
    label: 'Customer referral',
    share: 0.07,
    fitMean: 0.68,
    intentMean: 0.6,
    campaign: { source: 'customer-referral', medium: 'referral' },
  },
  {
    id: 'outbound',
    label: 'Outbound prospecting',
    share: 0.16,
    fitMean: 0.72,
    intentMean: 0.18,
    campaign: { source: 'outbound', medium: 'email' },
  },
  {
    id: 'partner',
    label: 'Partner',
    share: 0.12,
    fitMean: 0.6,
    intentMean: 0.48,
    campaign: { source: 'partner', medium: 'partner' },
  },
];

/** Lead volume by calendar month (January first): summer and December dips, busy autumn. */
export const seasonality: readonly number[] = [
  0.95, 1.0, 1.1, 1.0, 1.05, 0.95, 0.85, 0.6, 1.1, 1.2, 1.05, 0.55,
];

/** Lead volume grows this much each month of the simulation. */
export const monthlyGrowth = 0.015;

/**
 * True fit in [0, 1] from a contact's traits: `base`, plus the weight of its company's size tier
 * (small below 50 employees, enterprise from 1,000) and industry, plus `seniorTitle` for the
 * `seniorities` and `decisionRole` for the `buyingRoles`, plus `freeEmail` (negative) for a
 * personal address, clamped to [0, 1]; students, fake sign-ups and competitors have 0. The default
 * agreement's fit rules are close to this but not equal (it overrates e-commerce and ignores
 * healthcare), so closed-loop analysis has something to correct.
 */
export const fitTruth = {
  base: 0.1,
  size: { small: 0, 'mid-market': 0.25, enterprise: 0.3 },
  industry: {
    Software: 0.2,
    'Financial Services': 0.15,
    Healthcare: 0.12,
    'E-commerce': 0.04,
    'Professional Services': 0.05,
  } as Readonly<Record<string, number>>,
  seniorTitle: 0.2,
  seniorities: ['director', 'vp', 'c-level'],
  decisionRole: 0.15,
  buyingRoles: ['decision-maker', 'budget-holder'],
  freeEmail: -0.2,
} as const;

/**
 * Chance that a deal is won, for a contact of fit 0.5 who did none of the activities below; the
 * odds are multiplied by `exp(fitOddsEffect × (fit − 0.5))` and by each activity's multiplier
 * (once per activity done before the deal was created).
 */
export const baseWinRate = 0.2;
export const fitOddsEffect = 4;

export const winOddsMultipliers: Readonly<Record<BehaviourId, number>> = {
  'demo-request': 4,
  'pricing-view': 3,
  'webinar-attendance': 1.6,
  'webinar-registration': 1.1,
  'content-download': 1.15,
  'form-submission': 1,
  'email-click': 1.1,
  unsubscribe: 0.5,
  'careers-view': 0.3,
  'page-view': 1,
};

/**
 * A rep accepts a lead that was reached with this chance when its win odds are the base odds; the
 * log-odds of accepting move by `acceptOddsEffect` × the log of (win odds ÷ base win odds), so the
 * leads that will win are also the ones reps accept.
 */
export const baseAcceptRate = 0.45;
export const acceptOddsEffect = 0.7;

export type SizeTier = keyof typeof fitTruth.size;

/** Deal amounts are log-normal around these medians (in the agreement's currency). */
export const dealAmountMedian: Readonly<Record<SizeTier, number>> = {
  small: 9_000,
  'mid-market': 24_000,
  enterprise: 65_000,
};
export const dealAmountSigma = 0.45;

/** Days from deal creation to a decision, log-normal around these medians. */
export const salesCycleMedianDays: Readonly<Record<SizeTier, number>> = {
  small: 25,
  'mid-market': 45,
  enterprise: 80,
};

/** What `simulate` reports as the truth of one simulation. */
export type SimulationTruth = {
  seed: number;
  contacts: number;
  months: number;
  start: Date;
  /** The end of the simulated period, excluded. */
  end: Date;
  currency: string;
  sources: readonly SourceTruth[];
  seasonality: readonly number[];
  monthlyGrowth: number;
  fit: typeof fitTruth;
  baseWinRate: number;
  fitOddsEffect: number;
  baseAcceptRate: number;
  acceptOddsEffect: number;
  /** Each behaviour: how it is sent, the agreement activity it classifies as, its win-odds multiplier. */
  behaviours: readonly {
    behaviour: BehaviourId;
    activityId: string | undefined;
    event?: string;
    paths?: readonly string[];
    winOddsMultiplier: number;
  }[];
  /** Win-odds multiplier by agreement activity id (activities no behaviour maps to are absent). */
  activityMultipliers: Readonly<Record<string, number>>;
  dealAmountMedian: Readonly<Record<SizeTier, number>>;
  dealAmountSigma: number;
  salesCycleMedianDays: Readonly<Record<SizeTier, number>>;
  /** Track events and page paths sent on purpose that should not count as a buying activity. */
  noiseEvents: readonly string[];
  noisePaths: readonly string[];
};
