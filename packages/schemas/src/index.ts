// @spikelite/schemas: every public configuration of spikelite as a zod schema (JSON-safe).
// Each schema is exported with its inferred (parsed) type under the same name; `…Input`
// types describe what may be written before defaults are filled.

export { BACKENDS, Backend, ResetMode, Granularity, IntOrPair, pair } from './common.js';

export {
  ModelSpec,
  InputShape,
  ImageInputShape,
  TensorInputShape,
  inputShapeOf,
  imageInput,
  INPUT_REF,
  Layer,
  Conv2dLayer,
  LinearLayer,
  AvgPoolLayer,
  MaxPoolLayer,
  SumPoolLayer,
  GlobalAvgPoolLayer,
  GlobalMaxPoolLayer,
  FlattenLayer,
  BatchNormLayer,
  DropoutLayer,
  ActivationLayer,
  AffineLayer,
  AddLayer,
  SubLayer,
  MulLayer,
  DivLayer,
  MatMulLayer,
  ConstantLayer,
  ConcatLayer,
  TransposeLayer,
  ReshapeLayer,
  SliceLayer,
  PadLayer,
  SoftmaxLayer,
  ResidualLayer,
  ELEMENTWISE_OPS,
  ActivationFn,
  ACTIVATION_FNS,
  LAYER_KINDS,
  DEFAULT_LEAKY_RELU_ALPHA,
  ConvPadding,
  ExplicitPadding,
  PoolPadding,
} from './model.js';
export type { ModelSpecInput, LayerInput, LayerKind, ResidualLayerInput, ElementwiseLayer, ElementwiseOp } from './model.js';

export { inferShapes, traceShapes, outputShape, broadcastShapes, sliceBounds, layerOutputShape } from './shapes.js';
export type { Shape, ShapeTrace } from './shapes.js';

export {
  SurrogateSpec,
  LinearSurrogate,
  StdbSurrogate,
  FastSigmoidSurrogate,
  ArctanSurrogate,
  TriangleSurrogate,
  RectangularSurrogate,
  StraightThroughSurrogate,
  NeuronSpec,
  IfNeuron,
  LifNeuron,
  SingleSpikeLifNeuron,
  FsNeuron,
  FsCoefficients,
  FsActivation,
  FS_ACTIVATIONS,
  FS_DEFAULT_K,
  GeneralNeuron,
  IntegratorNeuron,
} from './neuron.js';
export type { SurrogateSpecInput, SurrogateKind, NeuronSpecInput, NeuronKind } from './neuron.js';
export {
  NIR_CONVENTIONS,
  NIR_CONVENTION_DEFAULT_DT,
  NirConvention,
  NirParam,
  NirTimeConstant,
  NirLifNeuron,
  NirIfNeuron,
  NirLiNeuron,
  NirINeuron,
  NirCubaLifNeuron,
  NirCubaLiNeuron,
  NirThresholdNeuron,
} from './nir-neuron.js';

export {
  EncodingSpec,
  DirectEncoding,
  RateEncoding,
  TemporalEncoding,
  TemporalFields,
  HybridEncoding,
  FramesEncoding,
} from './encoding.js';
export type { EncodingSpecInput, EncodingKind } from './encoding.js';

export { LossSpec, CeLoss, SpikeTimeCeLoss, SpikeCountLoss, FsFitLoss } from './loss.js';
export type { LossSpecInput, LossKind } from './loss.js';

export {
  TrainConfig,
  TrainMethod,
  TRAIN_METHODS,
  OptimizerSpec,
  AdamOptimizer,
  SgdOptimizer,
  ScheduleSpec,
  ConstantSchedule,
  StepSchedule,
  CosineSchedule,
} from './train.js';
export type { TrainConfigInput, OptimizerSpecInput, ScheduleSpecInput } from './train.js';

export {
  ConversionRecipe,
  ConversionMethod,
  CONVERSION_METHODS,
  CalibrationSpec,
  ThresholdRecipe,
  FsRecipe,
  DietRecipe,
  HybridRecipe,
  DIET_THRESHOLD_SCALE,
  HYBRID_THRESHOLD_SCALE,
} from './conversion.js';
export type { ConversionRecipeInput } from './conversion.js';

export {
  EnergyProfile,
  CMOS45NM_FP32,
  CMOS45NM_INT32,
  ENERGY_PROFILES,
  DEFAULT_ENERGY_PROFILE,
} from './energy.js';
export type { EnergyProfileInput, NeuronUpdateOps } from './energy.js';

export {
  RunReport,
  RunCommand,
  RUN_COMMANDS,
  Method,
  METHODS,
  LayerSpikes,
  LayerEnergy,
  RATIO_RELATIVE_TOLERANCE,
  METHOD_STEPS,
} from './report.js';

export {
  Checkpoint,
  CHECKPOINT_KIND,
  TensorEntry,
  TensorDtype,
  DTYPE_BYTES,
  OptimizerState,
  EpochMetrics,
} from './checkpoint.js';
export type { CheckpointInput } from './checkpoint.js';

export {
  Preprocess,
  PreprocessStep,
  ResizeStep,
  CenterCropStep,
  RandomResizedCropStep,
  RandomHorizontalFlipStep,
  GrayscaleStep,
  RgbStep,
  ToTensorStep,
  NormalizeStep,
  Interpolation,
  INTERPOLATIONS,
  IMAGENET_MEAN,
  IMAGENET_STD,
  PREPROCESS_PRESETS,
  resolvePreprocess,
} from './preprocess.js';
export type { PreprocessInput, PreprocessStepInput, PreprocessStepKind } from './preprocess.js';

export { SpikeliteConfigError } from './errors.js';
export type { ConfigIssue } from './errors.js';
export { parseWith, parseJsonText, loadJsonFile, readableIssues } from './validate.js';
