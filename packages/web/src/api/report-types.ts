/** The shapes of the report answers (GET /api/v1/reports/…, see docs/REPORTS.md and /openapi.json). */

type SegmentFilters = {
  source?: string;
  team?: string;
  rep?: string;
  country?: string;
  industry?: string;
  quadrant?: string;
  traits?: Record<string, string>;
};

/** What every report carries. */
export type ReportMeta = {
  period: { from: string; to: string; timezone: string; label?: string };
  filters: SegmentFilters;
  agreementVersion: number;
  asOf: string;
  definitions: Record<string, string>;
};

export type FunnelStage = {
  stage: string;
  label: string;
  entered: number;
  conversionFromPrevious: number | null;
  conversionFromFirst: number | null;
  reentries: number;
  returning: number;
  timeInStage: { left: number; stillIn: number; medianHours: number | null; p90Hours: number | null };
};

export type FunnelReport = ReportMeta & {
  report: 'funnel';
  anyOrder: FunnelStage[];
  strictOrder: FunnelStage[];
  detours: { detour: string; label: string; entered: number; reentries: number }[];
};

type Change = { absolute: number; relative: number | null };

type LeadQuality = {
  invalid: number;
  averageFit: number | null;
  shareHot: number | null;
  points: number;
  expectedValue: number | null;
};

export type LeadFlowRow = {
  label: string;
  from: string;
  to: string;
  leads: number;
  newLeads: number;
  mqls: number;
  change: { leads: Change; newLeads: Change; mqls: Change };
  quality: LeadQuality;
};

export type BucketUnit = 'month' | 'week';

export type LeadFlowReport = ReportMeta & {
  report: 'lead-flow';
  unit: BucketUnit;
  leadStage: string;
  mqlStage: string;
  rows: LeadFlowRow[];
  total: Pick<LeadFlowRow, 'leads' | 'newLeads' | 'mqls' | 'quality'>;
};

export type WaterfallCohort = {
  label: string;
  from: string;
  to: string;
  size: number;
  offsets: { offset: number; until: string; reached: Record<string, number> }[];
};

export type StageBalance = {
  stage: string;
  opening: number;
  inflow: number;
  outflow: number;
  closing: number;
};

export type WaterfallReport = ReportMeta & {
  report: 'waterfall';
  unit: BucketUnit;
  stages: string[];
  cohorts: WaterfallCohort[];
  flow: { label: string; from: string; to: string; stages: StageBalance[] }[];
};

type Pace = {
  businessDays: { elapsed: number; total: number };
  elapsedShare: number;
  expected: number | null;
  projected: number | null;
  onPace: boolean | null;
};

export type MarketingFigures = {
  team: string | null;
  target: number | null;
  leads: number;
  invalid: number;
  value: number | null;
  attainment: number | null;
  pace: Pace;
};

export type SalesFigures = {
  team: string | null;
  rep?: string | null;
  handed: number;
  due: number;
  workedWithinDeadline: number;
  compliance: number | null;
  breaches: number;
  openBreaches: number;
};

export type SlaReport = ReportMeta & {
  report: 'sla';
  marketing: {
    stage: string;
    measure: 'points' | 'expected-value';
    total: MarketingFigures;
    byGrade: { grade: string | null; leads: number; value: number | null }[];
    teams: MarketingFigures[];
  };
  sales: {
    target: number;
    total: SalesFigures & { met: boolean | null };
    teams: SalesFigures[];
    reps: SalesFigures[];
  };
};

export type SlaSettlement = {
  period: string;
  from: string;
  to: string;
  agreementVersion: number;
  closedAt: string;
  closedBy: string;
  report: SlaReport;
};

/** An `sla-breached` alert (GET /api/v1/alerts?kind=sla-breached). */
export type BreachAlert = {
  id: string;
  contactId: string;
  kind: string;
  at: string;
  detail: {
    rep?: { id: string; name: string } | null;
    team?: { id: string; name: string } | null;
    contact?: { id: string; name: string | null; email: string | null; company: string | null } | null;
    deadline?: string;
    startedAt?: string;
    quadrant?: string;
  };
};

type Spread = { median: number | null; p90: number | null };

export type FollowThroughFigures = {
  team: string | null;
  rep?: string | null;
  handed: number;
  worked: number;
  workedShare: number | null;
  timeToFirstTouch: { slaHours: Spread; wallClockHours: Spread };
  attempts: { measured: number; average: number | null; median: number | null; none: number };
  feedback: {
    accepted: number;
    rejected: number;
    recycled: number;
    pending: number;
    acceptRate: number | null;
    rejectRate: number | null;
    recycleRate: number | null;
    reasons: { verdict: 'reject' | 'recycle'; reason: string | null; count: number }[];
  };
};

export type FollowThroughReport = ReportMeta & {
  report: 'follow-through';
  attemptDays: number;
  qualifyingTouches: string[];
  total: FollowThroughFigures;
  teams: FollowThroughFigures[];
  reps: FollowThroughFigures[];
};

export type CloseRateGroup = {
  key: string | null;
  leads: number;
  customers: number;
  closeRate: number | null;
};

export type CloseRatesReport = ReportMeta & {
  report: 'close-rates';
  leadStage: string;
  customerStage: string;
  closeRates: {
    total: Omit<CloseRateGroup, 'key'>;
    bySource: CloseRateGroup[];
    byCampaign: CloseRateGroup[];
    byPersona: CloseRateGroup[];
    byQuadrant: CloseRateGroup[];
  };
  deals: {
    currency: string;
    closed: number;
    won: number;
    lost: number;
    winRate: number | null;
    wonAmount: number;
    salesCycleDays: Spread;
    openCreated: number;
  };
  velocity: { from: string; to: string; moved: number; skipped: number; days: Spread }[];
};

export const attributionModels = [
  'firstTouch',
  'lastTouch',
  'linear',
  'uShaped',
  'wShaped',
  'timeDecay',
] as const;
export type AttributionModel = (typeof attributionModels)[number];
type ModelFigures = Record<AttributionModel, number>;

export type AttributionRow = { key: string; touchpoints: number; revenue: ModelFigures };
export type RoiRow = {
  key: string;
  spend: number;
  revenue: ModelFigures;
  returnOnSpend: Record<AttributionModel, number | null>;
  roi: Record<AttributionModel, number | null>;
};

export type AttributionReport = ReportMeta & {
  report: 'attribution';
  currency: string;
  models: AttributionModel[];
  halfLifeDays: number;
  total: { deals: number; revenue: number; credited: ModelFigures };
  excluded: { otherCurrency: number; noAmount: number };
  bySource: AttributionRow[];
  byCampaign: AttributionRow[];
  roi: { byCampaign: RoiRow[]; bySource: RoiRow[]; spendExcluded: number };
};

type GoalStage = { stage: string; needed: number | null; actual: number; gap: number | null };

export type GoalTreeReport = ReportMeta & {
  report: 'goal-tree';
  currency: string;
  averageDealSize: { amount: number | null; basis: 'goal' | 'measured' | null };
  window: { from: string; to: string; months: number; minimumEntries: number };
  rates: {
    from: string;
    to: string;
    rate: number | null;
    basis: 'measured' | 'default';
    entered: { from: number; to: number };
  }[];
  stages: string[];
  months: {
    label: string;
    from: string;
    to: string;
    status: 'past' | 'running' | 'future';
    elapsedShare: number;
    revenueGoal: number | null;
    revenueWon: number;
    stages: GoalStage[];
  }[];
  total: {
    revenueGoal: number | null;
    revenueWon: number;
    stages: (GoalStage & { neededToDate: number | null; pace: number | null; projected: number | null })[];
    elapsedShare: number;
  };
};

type ClogSide = {
  entries: number;
  converted?: number;
  rate?: number | null;
  medianHours?: number | null;
  stillIn?: number;
};

export type ClogCheck = {
  stage: string;
  label: string;
  metric: 'conversion' | 'time-in-stage';
  segment: { key: string; value: string } | null;
  current: ClogSide;
  baseline: ClogSide;
  test: string;
  statistic: number | null;
  p: number;
  q: number;
  worse: boolean;
  flagged: boolean;
};

export type Clog = ClogCheck & {
  impact: {
    missingConversions: number | null;
    stuck: number | null;
    downstreamRate: number | null;
    averageDealSize: number | null;
    revenue: number | null;
  };
  leadCount: number;
  leads: {
    personId: string;
    name: string | null;
    email: string | null;
    enteredAt: string;
    hoursInStage: number;
    stillIn: boolean;
  }[];
};

export type ClogReport = ReportMeta & {
  report: 'clogs';
  baseline: { from: string; to: string; periods: number };
  options: {
    baselinePeriods: number;
    horizonDays: number;
    minSample: number;
    alpha: number;
    segmentBy: string[];
  };
  clogs: Clog[];
  checks: ClogCheck[];
  skippedSmall: number;
};
