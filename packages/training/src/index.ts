export { train, evaluate } from './trainer.js';
export type { TrainEvent, TrainOptions, TrainResult, EvalResult } from './trainer.js';
export { annTarget, snnTarget } from './target.js';
export type { TrainTarget, Prediction, SnnTargetOptions } from './target.js';
export { createOptimizer } from './optimizer.js';
export type { Optimizer } from './optimizer.js';
export { learningRate } from './schedule.js';
export { saveCheckpoint, loadCheckpoint, resolveCheckpointDir, CheckpointError } from './checkpoint.js';
export type { CheckpointManifest, LoadedCheckpoint, TensorData } from './checkpoint.js';
