export { calibrateThresholds, DEFAULT_CALIBRATION } from './calibrate.js';
export type { CalibrationOptions } from './calibrate.js';
export { percentile } from './percentile.js';
