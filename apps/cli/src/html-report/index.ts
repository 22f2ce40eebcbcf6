// The self-contained HTML report: its input bundle, the renderer and the raster recorder.
export { bundleFromFiles, ConvertSweepOutput, inputKind, mergeInputs, Raster, RasterLayer, REPORT_BUNDLE_KIND, ReportBundle, SweepSeries, sweepFromConvert } from './bundle.js';
export type { InputKind, MergeOptions, ParsedInput, ReportBundleInput } from './bundle.js';
export { recordRaster, sampleNeurons } from './raster.js';
export type { RasterOptions, RasterRecord } from './raster.js';
export { chartJsSource, renderHtmlReport } from './render.js';
export type { ChartSpec, RenderOptions } from './render.js';
