import type { Insights } from '@smarketing/core';
import { analyzeWorkspace, type InsightsDeps, type InsightsQuery } from './insights-context.ts';

/** Close rates, triggers and the learned score's evaluation for the workspace, under its current agreement. */
export async function getInsights(
  query: InsightsQuery,
  deps: InsightsDeps,
): Promise<Insights & { agreementVersion: number }> {
  const { result, agreementVersion } = await analyzeWorkspace(query, deps);
  return { ...result.insights, agreementVersion };
}
