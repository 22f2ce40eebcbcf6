export {
  FS_RELU_ALPHA,
  FS_SILU_COEFFICIENTS,
  FS_SIGMOID_COEFFICIENTS,
  fsReluCoefficients,
  fsCoefficientsFor,
  checkFsCoefficients,
} from './coefficients.js';
export { FS_REFERENCE_COEFFICIENTS } from './reference.js';
export { FS_DEFAULT_SURROGATE, fsScalar, fsForwardArray, fsForward, fsForwardTensors, fsSpikeFunction } from './core.js';
export type { FsScalarResult, FsArrayOptions, FsForwardOptions, FsForwardResult, FsCoefficientTensors } from './core.js';
export {
  FS_FIT_REGULARIZER,
  FS_FIT_LR,
  fsFitLoss,
  fsFitLossGrad,
  fsFitLossTensor,
  fsImportance,
  fitFsCoefficients,
  fsFitGrid,
} from './fit.js';
export type { FsFitLossOptions, FsFitLossValue, FsFitGradient, FitFsOptions, FsFitRestart, FsFitResult } from './fit.js';
export { FsLayer } from './layer.js';
export { fsNeuron } from './definition.js';
