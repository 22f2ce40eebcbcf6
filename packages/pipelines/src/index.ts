// @spikelite/pipelines: every spikelite method from one registry. A run is described by JSON
// (method, config, model, data, seed) and gives a RunReport; the CLI is a shell over this.

export { runMethod, openRunData } from './run.js';
export type { RunOptions } from './run.js';
export { METHODS, METHOD_IDS, getMethod } from './registry.js';
export type { MethodConfig, MethodConfigInput, MethodDefinition, MethodId, MethodNeeds } from './registry.js';
export { ModelRef, DataRef, parseMethodRun, runKey, moveNormalization } from './run-spec.js';
export type { DataRefInput, MethodRun, MethodRunInput, ModelRefInput, OnnxInput } from './run-spec.js';
export { MethodContext } from './context.js';
export type { FinishedRun, FinishInput, ResolvedModel } from './context.js';
export type { PipelineEvent, PipelineEventHandler } from './events.js';
export { configFields } from './fields.js';
export type { ConfigField, FieldKind } from './fields.js';
export { sweepMethod, sweepRow } from './sweep.js';
export type { SweepRow } from './sweep.js';
export { buildRunReport, reportedSteps, gradedSpikesOf } from './report.js';
export type { ReportInput } from './report.js';
export {
  openRunnable, openCheckpoint, runnableFromCheckpoint, runnableFromOnnx, checkpointTimesteps, assertFitsImages, measureRunnable,
  neuronUpdatesOf, hasGradedSpikes, runnableReport,
} from './runnable.js';
export type { ModelSource, RunnableModel } from './runnable.js';
export { calibrationSet, calibrationImages, imageTensor } from './calibration.js';
export { onnxImportOptions } from './resources.js';
export { createResources } from './resources.js';
export type { Resources } from './resources.js';
export { loadData, loadOptions, modelClasses, resolveModel, specClasses, transformHint } from './resolve.js';
export type { DataHooks } from './resolve.js';
export { generalNeuron } from './methods/general.js';
export { checkNirFile } from './nir-check.js';
export type { NirCheckResult } from './nir-check.js';
export { PipelineError } from './errors.js';
