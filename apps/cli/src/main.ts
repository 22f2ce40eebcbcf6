#!/usr/bin/env node
/**
 * The spikelite command. With --json a command prints exactly one JSON document on stdout;
 * progress and logs go to stderr. Bad input exits 2 with one line on stderr.
 */
import { convertCommand, CONVERT_HELP } from './commands/convert.js';
import { evalCommand, EVAL_HELP } from './commands/eval.js';
import { benchCommand, BENCH_HELP } from './commands/bench.js';
import { energyCommand, ENERGY_HELP } from './commands/energy.js';
import { trainCommand, TRAIN_HELP } from './commands/train.js';
import { CliError } from './errors.js';
import type { RunReport } from '@spikelite/schemas';

function isRunReport(r: unknown): r is RunReport {
  return typeof r === 'object' && r !== null && (r as { schemaVersion?: unknown }).schemaVersion === 1 && 'energy' in r;
}

/** A few lines for people; --json gives the whole RunReport. */
function summarize(r: RunReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return [
    `${r.command} ${r.method} on ${r.dataset.name} (${r.dataset.testSize} test images), T=${r.timesteps}, backend ${r.backend}`,
    `  accuracy        ${pct(r.accuracy)}${r.annAccuracy === null ? '' : `   (ANN ${pct(r.annAccuracy)})`}`,
    `  spikes/neuron   ${r.spikes.perNeuron.toFixed(3)} per image over all timesteps`,
    `  energy          SNN ${(r.energy.snnPj / 1e6).toFixed(2)} µJ vs ANN ${(r.energy.annPj / 1e6).toFixed(2)} µJ per image: ${r.energy.ratio.toFixed(2)}x (${r.energy.profile})`,
    `  wall time       ${(r.wallMs / 1000).toFixed(0)} s`,
  ].join('\n');
}

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<unknown>; help: string; about: string }> = {
  train: { run: trainCommand, help: TRAIN_HELP, about: 'train an ANN or an SNN (ann, diet, hybrid, general)' },
  convert: { run: convertCommand, help: CONVERT_HELP, about: 'convert an ONNX ANN into an SNN (threshold, fs, diet) and evaluate it' },
  eval: { run: evalCommand, help: EVAL_HELP, about: 'evaluate a checkpoint on a test set' },
  energy: { run: energyCommand, help: ENERGY_HELP, about: 'compute energy of a checkpoint: ANN vs SNN from measured spikes' },
  bench: { run: benchCommand, help: BENCH_HELP, about: 'benchmark the shared workloads (JSON lines)' },
};

const USAGE = `usage: spikelite <command> [flags]   (spikelite <command> --help for its flags)

${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.about}`).join('\n')}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) throw new CliError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const result = await command.run(rest);
  if (result !== null && result !== undefined) {
    if (rest.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (isRunReport(result)) process.stdout.write(`${summarize(result)}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as Error;
    const userError = err instanceof CliError || err.name === 'SpikeliteConfigError' || err.name === 'DataError' || err.name === 'EngineError';
    process.stderr.write(`spikelite: ${userError ? err.message.split('\n').join('; ') : (err.stack ?? String(e))}\n`);
    process.exit(userError ? 2 : 1);
  },
);
