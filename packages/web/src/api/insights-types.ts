/** Backtests and insights, as the server answers them (see core/insights). */
import type { Condition } from './agreement-types.ts';

type BacktestMonth = {
  month: string;
  mqls: number;
  shareHot: number | null;
  expectedCloseRate: number | null;
  decided: number;
  customers: number;
  actualCloseRate: number | null;
  actualLow: number | null;
  actualHigh: number | null;
  points: number;
};

export type BacktestSide = {
  months: BacktestMonth[];
  totals: Omit<BacktestMonth, 'month'>;
  hot: { mqls: number; decided: number; customers: number; closeRate: number | null };
  reps: {
    repId: string;
    teamId: string | null;
    meanPerWeek: number;
    maxPerWeek: number;
    capacityPerWeek: number | null;
    weeksOverCapacity: number;
  }[];
  clocks: { started: number; worked: number; breached: number; workedShare: number | null };
  sla: {
    period: 'week' | 'month' | 'quarter';
    measure: 'points' | 'expected-value';
    target: number;
    impliedMonthlyPoints: number | null;
    workedWithinDeadline: number;
    impliedWorkedShare: number | null;
  };
};

export type BacktestReport = {
  from: string;
  to: string;
  months: string[];
  horizonDays: number;
  mqlStage: string;
  facts: number;
  contacts: number;
  current: BacktestSide;
  candidate: BacktestSide;
  quadrantChanges: { total: number; byPair: { from: string; to: string; contacts: number }[] };
  agreementVersion: number;
};

export type CloseRateRow = {
  dimension: string;
  key: string;
  label: string;
  leads: number;
  customers: number;
  closeRate: number;
  low: number;
  high: number;
  lift: number | null;
  liftLow: number | null;
  liftHigh: number | null;
};

type Trigger = {
  key: string;
  label: string;
  condition: Condition;
  leads: number;
  customers: number;
  closeRate: number;
  low: number;
  high: number;
  lift: number;
  customerShare: number;
  volumeByMonth: { month: string; leads: number }[];
  averagePerMonth: number;
};

export type ScoreEvaluation = {
  leads: number;
  customers: number;
  auc: number | null;
  brier: number | null;
  logLoss: number | null;
  liftAtTopDecile: number | null;
  reliability: {
    from: number;
    to: number;
    leads: number;
    meanPredicted: number | null;
    observed: number | null;
    observedLow: number | null;
    observedHigh?: number | null;
  }[];
};

export type Insights = {
  asOf: string;
  horizonDays: number;
  frequencyWindowDays: number;
  method: Record<string, string>;
  population: {
    leads: number;
    known: number;
    censored: number;
    customers: number;
    closeRate: number | null;
    low: number | null;
    high: number | null;
  };
  closeRates: CloseRateRow[];
  triggers: Trigger[];
  model: {
    features: number;
    lambda: number;
    iterations: number;
    trainLeads: number;
    holdoutLeads: number;
    holdoutFrom: string | null;
    intercept: number;
    pointsPerLogOdds: number;
    weights: {
      key: string;
      dimension: string;
      label: string;
      condition?: Condition;
      weight: number;
      oddsRatio: number;
      points: number;
      leads: number;
    }[];
    evaluation: { learned: ScoreEvaluation; agreement: ScoreEvaluation } | null;
  };
  agreementVersion: number;
};
