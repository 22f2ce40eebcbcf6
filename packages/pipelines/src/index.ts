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
export { sha256File } from './content-hash.js';
export { Sha256 } from './run-spec.js';
export { SweepSpec, SweepModel, parseSweepSpec, expandSweep, sweepModels, modelName } from './sweep/grid.js';
export type { SweepCell, SweepSpecInput } from './sweep/grid.js';
export { pinSweep, planSweep } from './sweep/pin.js';
export { SweepStore, writeFileAtomic } from './sweep/store.js';
export { runSweep } from './sweep/run-sweep.js';
export type { RunSweepOptions } from './sweep/run-sweep.js';
export { cellProgressOf, oneLineError } from './sweep/events.js';
export type { CellOutcome, CellProgress, GridState, SweepEvent, SweepEventHandler } from './sweep/events.js';
export { DEFAULT_QUEUE, redisConnection, jobIdOf } from './sweep/queue/connection.js';
export type { QueueRef } from './sweep/queue/connection.js';
export { SweepQueue } from './sweep/queue/sweep-queue.js';
export type { CancelResult, CollectOptions, SubmitResult } from './sweep/queue/sweep-queue.js';
export { startSweepWorker } from './sweep/queue/worker.js';
export type { CellJobData, SweepWorker, SweepWorkerOptions, WorkerEvent } from './sweep/queue/worker.js';
