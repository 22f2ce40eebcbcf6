/** @spikelite/encoding: how an image becomes the first layer's input over T timesteps. */
export { createEncoder } from './encoder.js';
export { EncodingError } from './errors.js';
export { encodingRegistry, encodingDefinition } from './registry.js';
export { directEncoding } from './direct.js';
export { rateEncoding, rateProbabilities, RATE_PROBABILITY } from './rate.js';
export { temporalEncoding, temporalMappings, temporalSpikeTimes, linearMapping, NEVER } from './temporal.js';
export type { TemporalMapping, TemporalMappingName, TemporalParams } from './temporal.js';
export { hybridEncoding } from './hybrid.js';
export { framesEncoding } from './frames.js';
export type {
  ChannelNormalization,
  Encoder,
  EncoderOptions,
  EncodingDefinition,
  StepCode,
  StepInput,
} from './types.js';
