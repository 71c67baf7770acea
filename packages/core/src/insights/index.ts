export {
  type ActivityCloseRate,
  analyzeInsights,
  type Insights,
  type InsightsOptions,
  type InsightsResult,
  type LearnedScore,
  type LearnedWeight,
  type Reason,
  type ScoreEvaluation,
  scoreLead,
  type Trigger,
} from './analyze-insights.ts';
export { type BacktestReport, type BacktestSide, runBacktest } from './backtest.ts';
export { bankActivityIds, convertBankMarketing } from './bank-marketing.ts';
export { createHistoryCollector, type HistoryCollector, type LeadHistory } from './history.ts';
export { simulatedSteps } from './simulated-steps.ts';
export { type AgreementSuggestion, type SuggestionClaim, suggestAgreement } from './suggest-agreement.ts';
