/** The recipe registry: one file per recipe, one line here. */
import type { ConversionRecipe } from '@spikelite/schemas';
import { dietRecipe } from './diet.js';
import { fsRecipe } from './fs.js';
import { hybridRecipe } from './hybrid.js';
import { thresholdRecipe } from './threshold.js';
import type { RecipeDefinition } from './types.js';

export const RECIPES: { readonly [K in ConversionRecipe['kind']]: RecipeDefinition<K> } = {
  threshold: thresholdRecipe,
  fs: fsRecipe,
  diet: dietRecipe,
  hybrid: hybridRecipe,
};

export { hybridEncoding, hybridNeuron } from './hybrid.js';
export { calibratedThreshold, reluBound, reluLikeCheck } from './threshold.js';
export type { ActivationNode, FinetuneData, LayerCheck, LayerPlan, LayerThreshold, RecipeContext, RecipeDefinition, RecipeOf } from './types.js';
