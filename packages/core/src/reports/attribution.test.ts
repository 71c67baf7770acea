import { describe, expect, test } from 'vitest';
import {
  attributionModels,
  buildAttribution,
  modelShares,
  type SpendFacts,
  splitCents,
  type TouchpointFacts,
  type WonDealFacts,
} from './attribution.ts';
import { defaultAgreement, march } from './test-world.ts';

const at = (iso: string) => Date.parse(iso);
const point = (
  personId: string,
  when: string,
  source: string | null,
  campaign: string | null,
  accountId: string | null = null,
): TouchpointFacts => ({ personId, accountId, at: at(when), source, campaign });
const won = (
  dealId: string,
  personId: string,
  amount: number | null,
  createdAt: string,
  wonAt: string,
  extra: Partial<WonDealFacts> = {},
): WonDealFacts => ({
  dealId,
  personId,
  accountId: null,
  amount,
  currency: 'USD',
  createdAt: at(createdAt),
  wonAt: at(wonAt),
  ...extra,
});

/**
 * D1 (a, 1,000): four touchpoints 21, 14, 7 and 0 days before the deal was created, a became a
 * lead after the second; one more touchpoint after the deal does not count. D2 (b, 500): no
 * touchpoint, credited to b's leadSource. D3 (c, 300): no touchpoint of c, but one of d, who works
 * at the same account; won at 23:30 on 31 March in New York (April in UTC). D4 is won in April
 * local time, D5 in euros, D6 has no amount.
 */
const deals = [
  won('d1', 'a', 1000, '2027-03-10T00:00:00Z', '2027-03-20T00:00:00Z'),
  won('d2', 'b', 500, '2027-03-05T00:00:00Z', '2027-03-25T00:00:00Z'),
  won('d3', 'c', 300, '2027-03-15T00:00:00Z', '2027-04-01T03:30:00Z', { accountId: 'x' }),
  won('d4', 'b', 700, '2027-03-05T00:00:00Z', '2027-04-01T04:30:00Z'),
  won('d5', 'a', 900, '2027-03-05T00:00:00Z', '2027-03-06T00:00:00Z', { currency: 'EUR' }),
  won('d6', 'a', null, '2027-03-05T00:00:00Z', '2027-03-06T00:00:00Z'),
];
const touchpoints = [
  point('a', '2027-02-17T00:00:00Z', 'google', 'brand'),
  point('a', '2027-02-24T00:00:00Z', 'linkedin', 'webinar-q1'),
  point('a', '2027-03-03T00:00:00Z', 'newsletter', 'nurture-2027-03'),
  point('a', '2027-03-10T00:00:00Z', 'LinkedIn', 'Webinar-Q1'),
  point('a', '2027-03-12T00:00:00Z', 'google', 'brand'),
  point('d', '2027-03-01T00:00:00Z', 'google', 'competitor-terms', 'x'),
];
const spend: SpendFacts[] = [
  {
    campaign: 'webinar-q1',
    source: 'linkedin',
    periodStart: '2027-02-15',
    periodEnd: '2027-03-16',
    amount: 300,
    currency: 'USD',
  },
  {
    campaign: 'brand',
    source: '',
    periodStart: '2027-03-01',
    periodEnd: '2027-03-31',
    amount: 200,
    currency: 'USD',
  },
  {
    campaign: 'brand',
    source: 'google',
    periodStart: '2027-04-01',
    periodEnd: '2027-04-30',
    amount: 999,
    currency: 'USD',
  },
  {
    campaign: 'brand',
    source: 'google',
    periodStart: '2027-03-01',
    periodEnd: '2027-03-31',
    amount: 50,
    currency: 'EUR',
  },
];

const build = () =>
  buildAttribution({
    agreement: defaultAgreement(),
    agreementVersion: 4,
    period: march,
    asOf: new Date('2027-04-15T00:00:00Z'),
    filters: {},
    deals,
    touchpoints,
    origins: new Map([['b', { source: 'Partner', campaign: null, at: at('2027-02-01T00:00:00Z') }]]),
    leadAt: new Map([['a', at('2027-02-25T00:00:00Z')]]),
    spend,
  });

const row = (rows: { key: string; revenue: Record<string, number> }[], key: string) =>
  rows.find((candidate) => candidate.key === key)?.revenue;

describe('modelShares and splitCents', () => {
  test('every model’s shares sum to 1 for any number of touchpoints', () => {
    for (let count = 1; count <= 12; count++) {
      const ages = Array.from({ length: count }, (_, index) => (count - index) * 3);
      for (const model of attributionModels) {
        for (const leadIndex of [0, Math.floor(count / 2), count - 1]) {
          const shares = modelShares(model, count, { leadIndex, ages, halfLifeDays: 7 });
          expect(shares).toHaveLength(count);
          expect(Math.abs(shares.reduce((sum, share) => sum + share, 0) - 1)).toBeLessThan(1e-12);
        }
      }
    }
  });

  test('U- and W-shaped positions', () => {
    const options = { leadIndex: 2, ages: [0, 0, 0, 0, 0], halfLifeDays: 7 };
    expect(modelShares('uShaped', 5, options).map((share) => round6(share))).toEqual([
      0.4, 0.066667, 0.066667, 0.066667, 0.4,
    ]);
    expect(modelShares('wShaped', 5, options).map((share) => round6(share))).toEqual([
      0.3, 0.05, 0.3, 0.05, 0.3,
    ]);
    expect(modelShares('uShaped', 2, options)).toEqual([0.5, 0.5]);
    // Three touchpoints that are all keys: 10 % spread over them.
    expect(modelShares('wShaped', 3, { ...options, leadIndex: 1 }).map(round6)).toEqual([
      0.333333, 0.333333, 0.333333,
    ]);
  });

  test('cents are split exactly, remainders to the largest fractions', () => {
    expect(splitCents(100, [1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(splitCents(1001, [0.5, 0.5])).toEqual([501, 500]);
    for (const cents of [1, 7, 99_999, 123_457]) {
      const shares = modelShares('timeDecay', 7, {
        leadIndex: 0,
        ages: [30, 20, 11, 6, 3, 1, 0],
        halfLifeDays: 7,
      });
      expect(splitCents(cents, shares).reduce((sum, part) => sum + part, 0)).toBe(cents);
    }
  });
});

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

describe('buildAttribution', () => {
  test('revenue of the deals won in the local month, each model summing to it', () => {
    const report = build();
    expect(report.total.deals).toBe(3);
    expect(report.total.revenue).toBe(1800);
    for (const model of attributionModels) expect(report.total.credited[model]).toBe(1800);
    expect(report.excluded).toEqual({ otherCurrency: 1, noAmount: 1 });
    expect(report).toMatchObject({ currency: 'USD', halfLifeDays: 7, agreementVersion: 4 });
  });

  test('six models side by side by source, with the account’s contacts and the leadSource fallback', () => {
    const { bySource } = build();
    expect(bySource.map((source) => source.key)).toEqual(['google', 'linkedin', 'partner', 'newsletter']);
    expect(row(bySource, 'google')).toEqual({
      firstTouch: 1300,
      lastTouch: 300,
      linear: 550,
      uShaped: 700,
      wShaped: 600,
      timeDecay: 366.67,
    });
    expect(row(bySource, 'linkedin')).toEqual({
      firstTouch: 0,
      lastTouch: 1000,
      linear: 500,
      uShaped: 500,
      wShaped: 600,
      timeDecay: 666.66,
    });
    expect(row(bySource, 'newsletter')).toMatchObject({
      linear: 250,
      uShaped: 100,
      wShaped: 100,
      timeDecay: 266.67,
    });
    expect(row(bySource, 'partner')).toMatchObject({ firstTouch: 500, timeDecay: 500 });
  });

  test('by campaign, ignoring case; no campaign is (none); ties in key order', () => {
    const { byCampaign } = build();
    expect(
      byCampaign.map((campaign) => [campaign.key, campaign.touchpoints, campaign.revenue.linear]),
    ).toEqual([
      ['(none)', 1, 500],
      ['webinar-q1', 2, 500],
      ['competitor-terms', 1, 300],
      ['brand', 1, 250],
      ['nurture-2027-03', 1, 250],
    ]);
  });

  test('ROI with spend pro-rated by days in the period; other currencies left out', () => {
    const { roi } = build();
    expect(roi.spendExcluded).toBe(1);
    expect(roi.byCampaign.map((campaign) => [campaign.key, campaign.spend])).toEqual([
      ['brand', 200],
      ['webinar-q1', 160],
    ]);
    const brand = roi.byCampaign[0];
    expect(brand?.returnOnSpend).toMatchObject({ linear: 1.25, firstTouch: 5, lastTouch: 0 });
    expect(brand?.roi).toMatchObject({ linear: 0.25, firstTouch: 4, lastTouch: -1 });
    expect(roi.bySource).toEqual([
      expect.objectContaining({
        key: 'linkedin',
        spend: 160,
        returnOnSpend: expect.objectContaining({ linear: 3.125 }),
      }),
    ]);
  });

  test('an empty period credits nothing', () => {
    const report = buildAttribution({
      agreement: defaultAgreement(),
      agreementVersion: 1,
      period: { ...march, from: new Date('2026-06-01T04:00:00Z'), to: new Date('2026-07-01T04:00:00Z') },
      asOf: new Date('2027-04-15T00:00:00Z'),
      filters: {},
      deals,
      touchpoints,
      origins: new Map(),
      leadAt: new Map(),
      spend,
    });
    expect(report.total).toMatchObject({ deals: 0, revenue: 0 });
    expect(report.bySource).toEqual([]);
    expect(report.roi.byCampaign).toEqual([]);
  });
});
