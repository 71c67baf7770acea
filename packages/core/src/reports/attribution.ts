import type { Agreement } from '../agreement/agreement-schema.ts';
import { zonedTimeToInstant } from '../engine/calendar/index.ts';
import { addDays } from '../engine/calendar/zoned-time.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { ratio, round } from './statistics.ts';

export const attributionModels = [
  'firstTouch',
  'lastTouch',
  'linear',
  'uShaped',
  'wShaped',
  'timeDecay',
] as const;
export type AttributionModel = (typeof attributionModels)[number];
export type ModelFigures = Record<AttributionModel, number>;

/** A won deal, with its person and account; times in epoch ms. */
export type WonDealFacts = {
  dealId: string;
  personId: string;
  accountId: string | null;
  amount: number | null;
  currency: string | null;
  createdAt: number;
  wonAt: number;
};

/** An activity that names where it came from (a campaign or UTM parameters). */
export type TouchpointFacts = {
  personId: string;
  /** The account of the person's contact, so an account's deals can credit all its people. */
  accountId: string | null;
  at: number;
  source: string | null;
  campaign: string | null;
};

/** Where a person came from when no activity says so: `traits.leadSource` and when the person started. */
export type OriginFacts = { source: string | null; campaign: string | null; at: number };

/** Imported spend (`campaign_spend`): local dates, inclusive. */
export type SpendFacts = {
  campaign: string;
  source: string;
  periodStart: string;
  periodEnd: string;
  amount: number;
  currency: string;
};

export type AttributionRow = { key: string; touchpoints: number; revenue: ModelFigures };
export type RoiRow = {
  key: string;
  /** Spend pro-rated to the period, in the agreement currency. */
  spend: number;
  revenue: ModelFigures;
  /** revenue ÷ spend, per model; null without spend. */
  returnOnSpend: Record<AttributionModel, number | null>;
  /** (revenue − spend) ÷ spend, per model. */
  roi: Record<AttributionModel, number | null>;
};

export type AttributionReport = ReportMeta & {
  report: 'attribution';
  currency: string;
  models: AttributionModel[];
  halfLifeDays: number;
  /** Won deals counted, their revenue, and each model's credits (each sums to the revenue). */
  total: { deals: number; revenue: number; credited: ModelFigures };
  excluded: { otherCurrency: number; noAmount: number };
  bySource: AttributionRow[];
  byCampaign: AttributionRow[];
  roi: { byCampaign: RoiRow[]; bySource: RoiRow[]; spendExcluded: number };
};

export const defaultHalfLifeDays = 7;
const unknownSource = '(unknown)';
const noCampaign = '(none)';

export const attributionDefinitions = {
  revenue:
    'Revenue: the amounts of the deals won in the period (their won event, else their close date), in the agreement currency; deals in other currencies or without an amount are counted in excluded.',
  touchpoints:
    "Touchpoints: activities of the deal's person (with every contact merged into it) and, when the deal has an account, of every contact of that account, at or before the deal's creation, that name a campaign: context.campaign (name, source) or utm_campaign / utm_source in the page URL. Source and campaign are compared ignoring case; a missing campaign is (none). A deal without any touchpoint is credited to the person's traits.leadSource (else (unknown)) at the person's start, so every deal's revenue is credited.",
  models:
    'Models: firstTouch (all to the first touchpoint), lastTouch (all to the last), linear (equal shares), uShaped (40 % first, 40 % last, 20 % spread over the others; 50/50 with two), wShaped (30 % each to the first touch, the lead-creation touch — the last touchpoint at or before the person became a lead, else the first — and the opportunity-creation touch — the last before the deal; 10 % spread over the others, or over those three when there are no others), timeDecay (weights halve every halfLifeDays before the deal was created). Each deal is split to the cent, remainders to the largest fractions, so every model sums to the revenue.',
  roi: "ROI: spend imported for a campaign (any source) or a source (rows naming one), pro-rated to the period by days: a spend row's amount × the share of its days (agreement time zone) that start inside the period. returnOnSpend = revenue ÷ spend, roi = (revenue − spend) ÷ spend, per model; spend in another currency is left out (spendExcluded).",
};

const emptyFigures = (): ModelFigures => ({
  firstTouch: 0,
  lastTouch: 0,
  linear: 0,
  uShaped: 0,
  wShaped: 0,
  timeDecay: 0,
});

/**
 * Each touchpoint's share of a deal under `model`; the shares sum to 1. `leadIndex` is the
 * lead-creation touch (W-shaped), `ages` the days from each touchpoint to the deal's creation.
 */
export function modelShares(
  model: AttributionModel,
  count: number,
  options: { leadIndex: number; ages: readonly number[]; halfLifeDays: number },
): number[] {
  if (count <= 0) return [];
  if (count === 1) return [1];
  const shares = new Array<number>(count).fill(0);
  const last = count - 1;
  switch (model) {
    case 'firstTouch':
      shares[0] = 1;
      break;
    case 'lastTouch':
      shares[last] = 1;
      break;
    case 'linear':
      shares.fill(1 / count);
      break;
    case 'uShaped':
      if (count === 2) shares.fill(0.5);
      else {
        shares.fill(0.2 / (count - 2));
        shares[0] = 0.4;
        shares[last] = 0.4;
      }
      break;
    case 'wShaped': {
      const keys = [0, Math.min(Math.max(options.leadIndex, 0), last), last];
      for (const key of keys) shares[key] = (shares[key] ?? 0) + 0.3;
      const others = shares.map((_, index) => index).filter((index) => !keys.includes(index));
      if (others.length === 0) for (const key of keys) shares[key] = (shares[key] ?? 0) + 0.1 / 3;
      else for (const index of others) shares[index] = (shares[index] ?? 0) + 0.1 / others.length;
      break;
    }
    case 'timeDecay': {
      const weights = options.ages.map((age) => 0.5 ** (Math.max(0, age) / options.halfLifeDays));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      weights.forEach((weight, index) => {
        shares[index] = weight / total;
      });
      break;
    }
  }
  return shares;
}

/** Splits whole cents by shares: floors, then the remaining cents to the largest fractions (ties: earlier first). */
export function splitCents(cents: number, shares: readonly number[]): number[] {
  const raw = shares.map((share) => share * cents);
  const parts = raw.map((value) => Math.floor(value + 1e-9));
  let left = cents - parts.reduce((sum, part) => sum + part, 0);
  const order = raw
    .map((value, index) => ({ index, fraction: value - Math.floor(value + 1e-9) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (let i = 0; left > 0 && order.length > 0; i = (i + 1) % order.length, left--) {
    const index = (order[i] as { index: number }).index;
    parts[index] = (parts[index] ?? 0) + 1;
  }
  return parts;
}

function normalise(value: string | null, fallback: string): string {
  const trimmed = value?.trim().toLowerCase();
  return trimmed === undefined || trimmed === '' ? fallback : trimmed;
}

/** The share of a spend row's local days that start inside the period. */
export function spendShare(row: SpendFacts, period: ReportPeriod): number {
  let days = 0;
  let inside = 0;
  for (let day = row.periodStart; day <= row.periodEnd && days < 3700; day = addDays(day, 1)) {
    days += 1;
    const start = zonedTimeToInstant(day, '00:00', period.timezone).getTime();
    if (start >= period.from.getTime() && start < period.to.getTime()) inside += 1;
  }
  return days === 0 ? 0 : inside / days;
}

/** A touchpoint's cents under each model, in the order of `attributionModels`. */
type Credit = { source: string; campaign: string; cents: Float64Array };

const modelCount = attributionModels.length;

function table(credits: readonly Credit[], key: (credit: Credit) => string): AttributionRow[] {
  const groups = new Map<string, { touchpoints: number; cents: Float64Array }>();
  for (const credit of credits) {
    const k = key(credit);
    let group = groups.get(k);
    if (group === undefined) {
      group = { touchpoints: 0, cents: new Float64Array(modelCount) };
      groups.set(k, group);
    }
    group.touchpoints += 1;
    for (let m = 0; m < modelCount; m++) group.cents[m] = (group.cents[m] ?? 0) + (credit.cents[m] ?? 0);
  }
  return [...groups.entries()]
    .map(([k, group]) => ({ key: k, touchpoints: group.touchpoints, revenue: toMoney(group.cents) }))
    .sort((a, b) => b.revenue.linear - a.revenue.linear || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whole cents per model (in the order of `attributionModels`) as money. */
function toMoney(cents: Float64Array): ModelFigures {
  const money = emptyFigures();
  attributionModels.forEach((model, m) => {
    money[model] = (cents[m] ?? 0) / 100;
  });
  return money;
}

function roiRows(spend: ReadonlyMap<string, number>, revenue: readonly AttributionRow[]): RoiRow[] {
  const byKey = new Map(revenue.map((row) => [row.key, row.revenue]));
  return [...spend.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, cents]) => {
      const earned = byKey.get(key) ?? emptyFigures();
      const amount = cents / 100;
      const returnOnSpend = {} as Record<AttributionModel, number | null>;
      const roi = {} as Record<AttributionModel, number | null>;
      for (const model of attributionModels) {
        returnOnSpend[model] = round(ratio(earned[model], amount), 4);
        roi[model] = round(ratio(earned[model] - amount, amount), 4);
      }
      return { key, spend: amount, revenue: earned, returnOnSpend, roi };
    });
}

/**
 * Revenue of the deals won in a period credited to the sources and campaigns of the touchpoints
 * before each deal, under six models side by side, and ROI where spend is imported (see
 * `attributionDefinitions`).
 */
export function buildAttribution(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  halfLifeDays?: number;
  deals: readonly WonDealFacts[];
  touchpoints: readonly TouchpointFacts[];
  /** Per person: where it came from when no touchpoint says so. */
  origins: ReadonlyMap<string, OriginFacts>;
  /** Per person: when it became a lead (W-shaped's middle key). */
  leadAt: ReadonlyMap<string, number>;
  spend: readonly SpendFacts[];
}): AttributionReport {
  const { agreement, period } = input;
  const currency = agreement.currency;
  const halfLifeDays = input.halfLifeDays ?? defaultHalfLifeDays;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const asOf = input.asOf.getTime();

  // Each touchpoint normalised once (a deal of its person and one of its account share it).
  type Point = { at: number; personId: string; source: string; campaign: string };
  const byPerson = new Map<string, Point[]>();
  const byAccount = new Map<string, Point[]>();
  // Appended in place: copying a list per touchpoint is quadratic in a big account's touchpoints.
  const append = (map: Map<string, Point[]>, key: string, point: Point) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [point]);
    else list.push(point);
  };
  for (const touchpoint of input.touchpoints) {
    const point: Point = {
      at: touchpoint.at,
      personId: touchpoint.personId,
      source: normalise(touchpoint.source, unknownSource),
      campaign: normalise(touchpoint.campaign, noCampaign),
    };
    append(byPerson, point.personId, point);
    if (touchpoint.accountId !== null) append(byAccount, touchpoint.accountId, point);
  }

  const excluded = { otherCurrency: 0, noAmount: 0 };
  const credits: Credit[] = [];
  let revenueCents = 0;
  let deals = 0;
  const won = input.deals
    .filter((deal) => deal.wonAt >= from && deal.wonAt < to && deal.wonAt <= asOf)
    .sort((a, b) => a.wonAt - b.wonAt || (a.dealId < b.dealId ? -1 : 1));
  for (const deal of won) {
    if (deal.amount === null) {
      excluded.noAmount += 1;
      continue;
    }
    if ((deal.currency ?? currency) !== currency) {
      excluded.otherCurrency += 1;
      continue;
    }
    const cents = Math.round(deal.amount * 100);
    deals += 1;
    revenueCents += cents;
    const own = byPerson.get(deal.personId) ?? [];
    const accounts = deal.accountId === null ? undefined : byAccount.get(deal.accountId);
    let points: { at: number; source: string; campaign: string }[];
    if (accounts === undefined) {
      points = own.filter((point) => point.at <= deal.createdAt);
    } else {
      const seen = new Set<Point>();
      points = [...own, ...accounts].filter((point) => {
        if (seen.has(point) || point.at > deal.createdAt) return false;
        seen.add(point);
        return true;
      });
    }
    (points as Point[]).sort(
      (a, b) => a.at - b.at || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0),
    );
    if (points.length === 0) {
      const origin = input.origins.get(deal.personId);
      points.push({
        at: Math.min(origin?.at ?? deal.createdAt, deal.createdAt),
        source: normalise(origin?.source ?? null, unknownSource),
        campaign: normalise(origin?.campaign ?? null, noCampaign),
      });
    }
    const leadAt = input.leadAt.get(deal.personId);
    const leadIndex =
      leadAt === undefined ? 0 : Math.max(0, points.filter((point) => point.at <= leadAt).length - 1);
    const options = {
      leadIndex,
      ages: points.map((point) => (deal.createdAt - point.at) / 86_400_000),
      halfLifeDays,
    };
    const split = attributionModels.map((model) =>
      splitCents(cents, modelShares(model, points.length, options)),
    );
    points.forEach((point, index) => {
      const figures = new Float64Array(modelCount);
      for (let m = 0; m < modelCount; m++) figures[m] = split[m]?.[index] ?? 0;
      credits.push({ source: point.source, campaign: point.campaign, cents: figures });
    });
  }

  const creditedCents = new Float64Array(modelCount);
  for (const credit of credits)
    for (let m = 0; m < modelCount; m++) creditedCents[m] = (creditedCents[m] ?? 0) + (credit.cents[m] ?? 0);
  const credited = toMoney(creditedCents);
  const bySource = table(credits, (credit) => credit.source);
  const byCampaign = table(credits, (credit) => credit.campaign);

  const campaignSpend = new Map<string, number>();
  const sourceSpend = new Map<string, number>();
  let spendExcluded = 0;
  for (const row of input.spend) {
    if (row.currency !== currency) {
      spendExcluded += 1;
      continue;
    }
    const share = spendShare(row, period);
    if (share === 0) continue;
    const cents = Math.round(row.amount * 100 * share);
    const campaign = normalise(row.campaign, noCampaign);
    campaignSpend.set(campaign, (campaignSpend.get(campaign) ?? 0) + cents);
    if (row.source.trim() !== '') {
      const source = normalise(row.source, unknownSource);
      sourceSpend.set(source, (sourceSpend.get(source) ?? 0) + cents);
    }
  }

  return {
    report: 'attribution',
    ...reportMeta({ ...input, definitions: attributionDefinitions }),
    currency,
    models: [...attributionModels],
    halfLifeDays,
    total: { deals, revenue: revenueCents / 100, credited },
    excluded,
    bySource,
    byCampaign,
    roi: {
      byCampaign: roiRows(campaignSpend, byCampaign),
      bySource: roiRows(sourceSpend, bySource),
      spendExcluded,
    },
  };
}
