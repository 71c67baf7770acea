export {
  describeDistribution,
  type RepDistribution,
  type TeamDistribution,
} from './describe-distribution.ts';
export {
  type RouteLeadInput,
  type RouteLeadResult,
  type RoutingDecision,
  type RoutingReasonKind,
  routeLead,
  type SkippedRep,
} from './route-lead.ts';
export { emptyRoutingState, type RoutingState, type TeamRoutingState } from './routing-state.ts';
