export { classifyQuadrant, type QuadrantDecision } from './classify-quadrant.ts';
export { computeFit, type FitResult, gradeFit, matchPersonas } from './compute-fit.ts';
export { type Contribution, formatPoints, roundPoints, sortContributions } from './contribution.ts';
export {
  type DepartmentName,
  departmentNames,
  deriveTraits,
  parseDepartment,
  parseEmailType,
  parseSeniority,
  type SeniorityLevel,
  seniorityLevels,
} from './derive-traits.ts';
export { type ConditionContext, conditionTest, evaluateCondition } from './evaluate-condition.ts';
export {
  evaluateInterest,
  type InterestResult,
  interestFloor,
  interestScoreAt,
} from './evaluate-interest.ts';
export {
  type ActivityTally,
  computeRecentBound,
  countActivity,
  decayFactor,
  emptyInterestState,
  type InterestState,
  recordInterestActivity,
} from './interest-state.ts';
export { type AccountScores, type ContactScores, rollUpAccount } from './roll-up-account.ts';
