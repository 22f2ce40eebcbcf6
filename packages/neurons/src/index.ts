// @spikelite/neurons: spiking neurons and surrogate gradients. See README.md.

// Contract between neurons and models.
export type {
  NeuronState,
  StepResult,
  NeuronContext,
  NeuronImplementation,
  StepNeuronLayer,
  BlockNeuronLayer,
  NeuronLayer,
  NeuronUpdateOps,
  NeuronDefinition,
} from './types.js';

// Registry.
export { neuronRegistry, NEURON_KINDS, getNeuronDefinition, createNeuronLayer } from './registry.js';

// Surrogate gradients.
export {
  createSurrogate,
  heaviside,
  surrogateDomain,
  scalarDerivative,
  linearDerivative,
  stdbDerivative,
  fastSigmoidDerivative,
  arctanDerivative,
  triangleDerivative,
  rectangularDerivative,
  straightThroughDerivative,
} from './surrogates.js';
export type { Surrogate, SurrogateDomain, CustomGradFn } from './surrogates.js';

// Neurons: pure steps and their layers.
export { lifStep, lifStepComposed, lifInitState, lifUsesFused, LifLayer, lifNeuron } from './lif.js';
export type { LifParams, LifState } from './lif.js';
export { ifStep, IfLayer, ifNeuron } from './if.js';
export type { IfParams } from './if.js';
export {
  singleSpikeLifStep,
  singleSpikeLifInitState,
  singleSpikeStdbDerivative,
  SingleSpikeLifLayer,
  singleSpikeLifNeuron,
} from './single-spike-lif.js';
export type { SingleSpikeLifParams, SingleSpikeLifState } from './single-spike-lif.js';
export { integratorStep, IntegratorLayer, integratorNeuron } from './integrator.js';
export type { IntegratorState } from './integrator.js';

// Running over time; spike-time bookkeeping.
export { runSteps } from './run-steps.js';
export type { RunStepsResult } from './run-steps.js';
export {
  LAST_SPIKE_INIT,
  NO_SPIKE,
  noGrad,
  updateLastSpike,
  timeSinceLastSpike,
  updateFirstSpike,
  firstSpikeTimes,
} from './spike-time.js';

// The fused LIF kernels (cpu, wasm).
export {
  lifStepFused,
  registerFusedLifKernels,
  fusedLifAvailable,
  setFusedLifSimd,
  FUSED_BACKENDS,
  LIF_STEP_KERNEL,
  LIF_STEP_GRAD_KERNEL,
} from './fused/lif-kernel.js';
export type { FusedLifOptions } from './fused/lif-kernel.js';

// FS neurons and the general-SNN neuron (their own folders).
export * from './fs/index.js';
export * from './general/index.js';

// NIR's neurons (LIF, IF, LI, I, CubaLIF, CubaLI) with an explicit dt and a framework convention.
export * from './nir/index.js';
