/**
 * `spikelite energy`: the compute energy of a checkpoint, ANN vs SNN, from spikes measured
 * on the test set (SPEC "Energy accounting"; formulas in packages/energy/README.md); or of an
 * ONNX file, which is an ANN: its MACs, costed as itself (ratio 1), nothing evaluated.
 *
 * Output: the per-layer table always goes to stderr. With --json, stdout gets exactly one
 * JSON document: the RunReport `energy` object (validated against the RunReport schema, so
 * it is interchangeable with `.energy` of `eval --json` under the same profile); with
 * --json --detail, the full EnergyAccount of @spikelite/energy instead, whose `energy` field is
 * that same object and whose other fields hold the separately counted operations (neuron
 * updates, pooling, residual adds), the per-timestep input ops and the alternatives
 * (layer 1 counted once; graded spikes as ACs or MACs). Not a whole RunReport: the schema's
 * `command` is train | convert | eval, and the accuracy and spikes are logged on stderr.
 */
import { accountAnnEnergy, accountEnergy, energyTable, type EnergyAccount, type EnergyReport } from '@spikelite/energy';
import { assertFitsImages, checkpointTimesteps, hasGradedSpikes, measureRunnable, neuronUpdatesOf, openCheckpoint, runnableFromCheckpoint, runnableFromOnnx } from '@spikelite/pipelines';
import { parseWith, RunReport } from '@spikelite/schemas';
import { intFlag, parseFlags } from '../args.js';
import { checkpointDataRef, openCheckpointData } from '../checkpoint-data.js';
import { DATA_FLAGS, dataHelp } from '../data-flags.js';
import { CliError, forFlag } from '../errors.js';
import { ONNX_INPUT_FLAGS, onnxInputFlags } from '../onnx-flags.js';
import { backendFlag, PROFILE_HELP, profileFlag, startEngine, stderrLog } from '../setup.js';

export const ENERGY_HELP = `spikelite energy — compute energy of a checkpoint: ANN MACs vs SNN ACs/MACs from measured spikes

  --checkpoint DIR     a run directory (with latest.json) or a checkpoint directory
  --onnx FILE          an ONNX model (an ANN): its MACs and energy, costed as itself
  --input-shape CxHxW  sizes of the ONNX model's dynamic input axes
  ${PROFILE_HELP}
${dataHelp(23, 'checkpoint: the test set to measure spikes on')}
                       (--transform: default the checkpoint's, the transform it was trained with)
  --limit-test N       checkpoint: use the first N test images
  --timesteps T        checkpoint: override the SNN's timesteps
  --include-neuron-updates   add neuron updates, pooling and residual adds to annPj/snnPj
                       (default: MACs and ACs only, the papers' "compute energy")
  --backend B          tensorflow | wasm | cpu
  --json               print the RunReport \`energy\` object on stdout (the table goes to stderr)
  --detail             with --json: print the full account (separate counts, per-timestep
                       input ops, alternatives) instead

An ANN (checkpoint or ONNX file) is costed as itself: ratio 1. energy.ratio = annPj / snnPj;
below 1 the SNN costs more than its ANN.

Example: spikelite energy --checkpoint runs/diet/snn --limit-test 1000 --json`;

const FLAGS = {
  checkpoint: { type: 'string' }, onnx: { type: 'string' }, ...ONNX_INPUT_FLAGS, profile: { type: 'string' }, ...DATA_FLAGS,
  'limit-test': { type: 'string' }, timesteps: { type: 'string' }, 'include-neuron-updates': { type: 'boolean' },
  backend: { type: 'string' }, json: { type: 'boolean' }, detail: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

/** The RunReport `energy` schema: what `--json` prints is checked against it. */
const ReportEnergy = RunReport.shape.energy;

export async function energyCommand(argv: string[]): Promise<EnergyReport | EnergyAccount | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.checkpoint !== undefined && f.onnx !== undefined) throw new CliError('give one of --checkpoint DIR and --onnx FILE, not both');
  if (f.checkpoint === undefined && f.onnx === undefined) throw new CliError('--checkpoint DIR (or --onnx FILE) is required');
  if (f.detail && !f.json) throw new CliError('--detail changes what --json prints; add --json');
  const log = stderrLog(f.json === true);
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const timesteps = intFlag('timesteps', f.timesteps, { min: 1 });
  const profile = await profileFlag(f.profile);
  const includeNeuronUpdates = f['include-neuron-updates'] === true;
  if (f.onnx !== undefined) {
    for (const flag of ['data', 'transform', 'skip-bad-images', 'bins', 'limit-test', 'timesteps'] as const) if (f[flag] !== undefined) throw new CliError(`--${flag}: not used with --onnx (an ANN has no spikes to measure)`);
    const model = await forFlag('onnx', () => runnableFromOnnx(f.onnx!, onnxInputFlags(f)));
    log.info(`${f.onnx}: an ANN, costed as itself; for an SNN's energy, convert it and run energy --checkpoint on the result`);
    try {
      return finish(accountAnnEnergy({ graph: model.net.graph, profile, includeNeuronUpdates }), f.json === true, f.detail === true);
    } finally {
      model.dispose();
    }
  }
  backendFlag(f.backend);
  // The checkpoint is plain files: a wrong path fails before the engine starts.
  const ck = await forFlag('checkpoint', () => openCheckpoint(f.checkpoint!));
  const T = checkpointTimesteps(ck, timesteps);
  const ref = checkpointDataRef(f, ck, { limitTest, timesteps: T }, log);
  const engine = await startEngine(f.backend, log);
  const data = await openCheckpointData(ref, ck, log);
  const model = await forFlag('checkpoint', () => runnableFromCheckpoint(ck, T));
  try {
    await forFlag('data', () => assertFitsImages(model, data.test, "the checkpoint's model", data.preprocess));
    log.info(`${ck.dir}: ${model.method}, T=${model.timesteps}; measuring spikes on ${data.test.count} ${data.name} test images (${engine.backend})`);
    const result = measureRunnable(model, data.test, { onProgress: (done, total) => log.progress(`measuring spikes ${done}/${total} images`, { value: done, total }) });
    const spikes = result.perLayer?.map((l) => l.spikesPerNeuron) ?? model.net.graph.activations.map(() => 0);
    log.info(
      `test accuracy ${(result.accuracy * 100).toFixed(2)}%` +
        (result.perLayer === null ? '' : `; spikes/neuron ${result.spikesPerNeuron?.toFixed(3)} (per layer ${spikes.map((s) => s.toFixed(3)).join(', ')})`),
    );
    const account =
      model.snn === null
        ? accountAnnEnergy({ graph: model.net.graph, profile, includeNeuronUpdates })
        : accountEnergy({
            graph: model.net.graph,
            spikesPerNeuron: spikes,
            input: result.input ?? { analogSteps: model.timesteps, inputSpikesPerElement: 0 },
            gradedSpikes: hasGradedSpikes(model),
            ...(result.inputEventsPerElement ? { inputEventsPerElement: result.inputEventsPerElement } : {}),
            profile,
            timesteps: model.timesteps,
            neuronUpdates: neuronUpdatesOf(model),
            includeNeuronUpdates,
          });
    return finish(account, f.json === true, f.detail === true);
  } finally {
    model.dispose();
    log.done();
  }
}

/** Table on stderr; with --json the energy object (checked against the RunReport schema) or, with --detail, the whole account. */
function finish(account: EnergyAccount, json: boolean, detail: boolean): EnergyReport | EnergyAccount | null {
  const energy = parseWith(ReportEnergy, account.energy, 'energy report');
  process.stderr.write(`${energyTable(account)}\n`);
  if (!json) return null;
  return detail ? { ...account, energy } : energy;
}

