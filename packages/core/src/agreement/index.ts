export {
  type Agreement,
  agreementSchema,
  type Detour,
  type Quadrant,
  type QuadrantAction,
  type QuadrantId,
  quadrantActions,
  quadrantIds,
  type Stage,
  segmentEventTypes,
  type Team,
  type TeamKind,
  type TouchKind,
  teamKinds,
  touchKinds,
  type Weekday,
  weekdays,
} from './agreement-schema.ts';
export type {
  ActivityCondition,
  AllCondition,
  AnyCondition,
  Condition,
  ConditionKind,
  DealCondition,
  DealEvent,
  FeedbackCondition,
  FeedbackKind,
  FitGradeCondition,
  NotCondition,
  PersonaCondition,
  QuadrantCondition,
  TraitCondition,
  TraitValue,
} from './condition.ts';
export { dealEvents, feedbackKinds } from './condition.ts';
export { defaultAgreementYaml } from './default-agreement.ts';
export { type AgreementChange, diffAgreements, formatAgreementDiff } from './diff-agreements.ts';
export { parseDuration } from './duration.ts';
export { type AgreementIssue, type AgreementIssueCode, formatAgreementIssue } from './issues.ts';
export { type ParseAgreementResult, parseAgreement } from './parse-agreement.ts';
export { summarizeAgreement } from './summarize-agreement.ts';
