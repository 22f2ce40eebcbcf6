import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('index', () => {
  it('exports exactly the curated runtime names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        // Preprocess (preprocess.ts)
        'Preprocess', 'PreprocessStep', 'ResizeStep', 'CenterCropStep', 'RandomResizedCropStep',
        'RandomHorizontalFlipStep', 'GrayscaleStep', 'RgbStep', 'ToTensorStep', 'NormalizeStep', 'Interpolation',
        'INTERPOLATIONS', 'IMAGENET_MEAN', 'IMAGENET_STD', 'PREPROCESS_PRESETS', 'resolvePreprocess',
        'ACTIVATION_FNS', 'ActivationFn', 'ActivationLayer', 'AdamOptimizer', 'ArctanSurrogate', 'AvgPoolLayer',
        'BACKENDS', 'Backend', 'BatchNormLayer', 'CHECKPOINT_KIND', 'CMOS45NM_FP32', 'CMOS45NM_INT32',
        'CONVERSION_METHODS', 'CalibrationSpec', 'CeLoss', 'Checkpoint', 'ConstantSchedule', 'Conv2dLayer',
        'ConvPadding', 'ConversionMethod', 'ConversionRecipe', 'CosineSchedule', 'DEFAULT_ENERGY_PROFILE',
        'DEFAULT_LEAKY_RELU_ALPHA', 'DIET_THRESHOLD_SCALE', 'DTYPE_BYTES', 'DietRecipe', 'DirectEncoding',
        'DropoutLayer', 'ENERGY_PROFILES', 'EncodingSpec', 'EnergyProfile', 'EpochMetrics', 'ExplicitPadding',
        'FS_ACTIVATIONS', 'FS_DEFAULT_K', 'FastSigmoidSurrogate', 'FlattenLayer', 'FsActivation', 'FsCoefficients',
        'FsFitLoss', 'FsNeuron', 'FsRecipe', 'GeneralNeuron', 'GlobalAvgPoolLayer', 'Granularity', 'HYBRID_THRESHOLD_SCALE', 'HybridEncoding',
        'HybridRecipe', 'IfNeuron', 'InputShape', 'IntOrPair', 'IntegratorNeuron', 'LAYER_KINDS', 'Layer',
        'LayerEnergy', 'LayerSpikes', 'LifNeuron', 'LinearLayer', 'LinearSurrogate', 'LossSpec', 'METHODS', 'METHOD_STEPS',
        'MaxPoolLayer', 'Method', 'ModelSpec', 'NeuronSpec', 'OptimizerSpec', 'OptimizerState', 'PoolPadding',
        'RATIO_RELATIVE_TOLERANCE', 'RUN_COMMANDS', 'RateEncoding', 'RectangularSurrogate', 'ResetMode',
        'ResidualLayer', 'RunCommand', 'RunReport', 'ScheduleSpec', 'SgdOptimizer', 'SingleSpikeLifNeuron', 'SpikeCountLoss',
        'SpikeTimeCeLoss', 'SpikeliteConfigError', 'StdbSurrogate', 'StepSchedule', 'StraightThroughSurrogate',
        'SurrogateSpec', 'TRAIN_METHODS', 'TemporalEncoding', 'TemporalFields', 'TensorDtype', 'TensorEntry',
        'ThresholdRecipe', 'TrainConfig', 'TrainMethod', 'TriangleSurrogate', 'inferShapes', 'loadJsonFile',
        'pair', 'parseJsonText', 'parseWith', 'readableIssues', 'traceShapes',
        'AddLayer', 'AffineLayer', 'ConcatLayer', 'ConstantLayer', 'DivLayer', 'ELEMENTWISE_OPS', 'GlobalMaxPoolLayer', 'INPUT_REF',
        'ImageInputShape', 'MatMulLayer', 'MulLayer', 'PadLayer', 'ReshapeLayer', 'SliceLayer', 'SoftmaxLayer', 'SubLayer',
        'SumPoolLayer', 'TensorInputShape', 'TransposeLayer', 'broadcastShapes', 'imageInput', 'inputShapeOf', 'layerOutputShape', 'outputShape', 'sliceBounds',
        // NIR neurons (nir-neuron.ts).
        'NIR_CONVENTIONS', 'NIR_CONVENTION_DEFAULT_DT', 'NirConvention', 'NirParam', 'NirTimeConstant', 'NirLifNeuron',
        'NirIfNeuron', 'NirLiNeuron', 'NirINeuron', 'NirCubaLifNeuron', 'NirCubaLiNeuron', 'NirThresholdNeuron',
        // Event-camera clips (encoding.ts).
        'FramesEncoding',
      ].sort(),
    );
  });

  it('LAYER_KINDS matches the Layer union', () => {
    for (const kind of api.LAYER_KINDS) {
      const r = api.Layer.safeParse({ kind });
      // Every kind is recognised: failures, if any, are about its own fields, never the kind.
      if (!r.success) expect(r.error.issues.map((i) => i.path.join('.'))).not.toContain('kind');
    }
    expect(api.Layer.safeParse({ kind: 'nope' }).success).toBe(false);
  });
});
