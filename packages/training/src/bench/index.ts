// @spikelite/training/bench: BENCH.md's training/inference workloads, callable (the CLI's `bench`).
export { runWorkload, workloadRecipe, workloadSpec, spikeKernelSummary, cpuMs, loadAverage, WORKLOADS, WORKLOAD_NEURON, WORKLOAD_OPTIMIZER } from './workloads.js';
export type { Workload, WorkloadOptions, WorkloadResult, SpikeSummary } from './workloads.js';
