export type { BehaviourId } from './agreement-model.ts';
export {
  type SimulatedFact,
  type SimulatedFactKind,
  type SimulateOptions,
  type Simulation,
  simulate,
} from './simulate.ts';
export type { SimulationTruth, SizeTier, SourceTruth } from './truth.ts';
