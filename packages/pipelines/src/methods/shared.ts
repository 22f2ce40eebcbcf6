/**
 * Config fields several methods share, and the stage they configure. The conversion fields
 * take their defaults from the recipe schemas of @spikelite/schemas (`DietRecipe`, …), so a
 * recipe default is written once, there; the README of this package gives the measurements
 * behind each default.
 */
import { ConversionRecipe, type ConversionRecipeInput } from '@spikelite/schemas';
import { booleanField, choiceField, fractionField, intField, positiveField } from '../fields.js';

/** A recipe's defaults: the recipe schema parsed with nothing but its kind. */
export function recipeDefaults<K extends ConversionRecipe['kind']>(kind: K): Extract<ConversionRecipe, { kind: K }> {
  return ConversionRecipe.parse({ kind }) as Extract<ConversionRecipe, { kind: K }>;
}

export const TIMESTEPS_HELP = 'T: timesteps';
export const SCALE_HELP = 'threshold = scale × the calibrated threshold';
export const SNN_EPOCHS_HELP = 'epochs of the SNN stage (0: none)';
export const SNN_LR_HELP = 'Adam learning rate of the SNN stage';
export const AMSGRAD_HELP = 'the SNN stage with amsgrad';
export const INIT_HELP = 'start from the (trained) ANN, or from the random init of its architecture';
export const CALIB_HELP = 'calibration images: one seeded shuffle of the training set';

/** The ANN stage: how a ModelSpec (preset or spec file) is trained before conversion. An ONNX model is already trained. */
export const annStageFields = {
  annEpochs: intField('epochs of the ANN stage (a preset or ModelSpec is trained as an ANN first; an ONNX model is trained already)', 3, 0),
  annLr: positiveField('Adam learning rate of the ANN stage', 1e-3),
};

export const batchField = { batch: intField('batch size of the training stages', 64, 1, 'B') };

const calibrationDefaults = recipeDefaults('threshold').calibration;
/** Calibration images by default (SPEC §4d: 512). */
export const CALIBRATION_IMAGES = calibrationDefaults.images;

/** Threshold calibration (SPEC §4d; @spikelite/conversion `calibrateThresholds`). */
export function calibrationFields(mode: 'ann' | 'snn') {
  return {
    calib: intField(CALIB_HELP, calibrationDefaults.images, 1),
    calibration: choiceField(['ann', 'snn'], mode, "thresholds from the ANN's activations + weight normalisation ('ann'), or DIET's layer-wise balancing on the SNN ('snn')"),
    calibSteps: intField("timesteps of 'snn' balancing (SPEC §4d: 100)", 100, 1, 'T'),
    statistic: choiceField(['percentile', 'max'], calibrationDefaults.statistic, 'threshold statistic of each layer\'s input'),
    percentile: positiveField('the percentile of the percentile statistic (DIET: 99.7)', calibrationDefaults.percentile, 'P'),
  };
}

/** Per-channel thresholds and the neurons' initial potential: the rate-conversion recipes (threshold, diet). */
export function rateConversionFields(defaults: { granularity: 'layer' | 'channel'; initialPotential: number }) {
  return {
    granularity: choiceField(['layer', 'channel'], defaults.granularity, "one threshold per layer, or one per channel ('ann' calibration only)"),
    initialPotential: fractionField('the membrane starts at this fraction of θ (0.5: rates round a/θ instead of flooring it)', defaults.initialPotential),
    biasCorrection: booleanField("after conversion, add each channel's mean ANN − SNN error on the calibration images to the bias feeding it, layer by layer", false),
  };
}

export const maxPoolField = {
  maxPool: choiceField(['keep', 'avg'], 'keep', 'keep max pools (before the neuron where its input is a constant current, else a max over spikes), or replace them by average pools'),
};

interface CalibrationConfig {
  calib: number;
  statistic: 'percentile' | 'max';
  percentile: number;
  granularity?: 'layer' | 'channel';
}

/** The recipe's calibration block from the flat fields. */
export function recipeCalibration(c: CalibrationConfig): Extract<ConversionRecipeInput, { kind: 'threshold' }>['calibration'] {
  return { images: c.calib, statistic: c.statistic, percentile: c.percentile, ...(c.granularity ? { granularity: c.granularity } : {}) };
}
