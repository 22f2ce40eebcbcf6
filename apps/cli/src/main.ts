#!/usr/bin/env node
/**
 * The spikelite command. With --json a command prints exactly one JSON document on stdout;
 * progress and logs go to stderr. Bad input exits 2 with one line on stderr; a bug exits 1
 * with its stack trace.
 */
import { readFileSync } from 'node:fs';
import { CliError, CommandOutcome, describeError } from './errors.js';
import type { RunReport } from '@spikelite/schemas';
import { setVerbose } from './verbose.js';

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

interface Command {
  about: string;
  /** Loaded on use: usage, --version and typos answer at once, without loading tfjs or onnxruntime. */
  load: () => Promise<{ run: (argv: string[]) => Promise<unknown>; help: string }>;
}

const COMMANDS: Record<string, Command> = {
  compare: {
    about: 'the main job: import an ONNX ANN, convert/train it with every method, compare, write an HTML report',
    load: async () => { const m = await import('./commands/compare.js'); return { run: m.compareCommand, help: m.COMPARE_HELP }; },
  },
  train: {
    about: 'train a model from a preset or ModelSpec with one of the methods (ann, threshold, fs, diet, hybrid, general)',
    load: async () => { const m = await import('./commands/train.js'); return { run: m.trainCommand, help: m.TRAIN_HELP }; },
  },
  convert: {
    about: 'convert an ONNX ANN into an SNN with one of the methods and evaluate both',
    load: async () => { const m = await import('./commands/convert.js'); return { run: m.convertCommand, help: m.CONVERT_HELP }; },
  },
  import: {
    about: 'summarise an ONNX ANN (layers, MACs; parity with onnxruntime) or a NIR file (nodes, shapes)',
    load: async () => { const m = await import('./commands/import.js'); return { run: m.importCommand, help: m.IMPORT_HELP }; },
  },
  export: {
    about: 'write a trained SNN checkpoint as an ONNX model (timesteps unrolled) or a NIR graph, and check it',
    load: async () => { const m = await import('./commands/export.js'); return { run: m.exportCommand, help: m.EXPORT_HELP }; },
  },
  eval: {
    about: 'evaluate a checkpoint on a test set',
    load: async () => { const m = await import('./commands/eval.js'); return { run: m.evalCommand, help: m.EVAL_HELP }; },
  },
  energy: {
    about: 'compute energy of a checkpoint or ONNX file: ANN MACs vs SNN ACs from measured spikes',
    load: async () => { const m = await import('./commands/energy.js'); return { run: m.energyCommand, help: m.ENERGY_HELP }; },
  },
  sweep: {
    about: 'a grid of method runs (models × methods × T/K × options × seeds), here or on a BullMQ queue',
    load: async () => { const m = await import('./commands/sweep.js'); return { run: m.sweepCommand, help: m.SWEEP_HELP }; },
  },
  worker: {
    about: 'run the cells of sweeps from a BullMQ queue (spikelite sweep --queue) until stopped',
    load: async () => { const m = await import('./commands/worker.js'); return { run: m.workerCommand, help: m.WORKER_HELP }; },
  },
  report: {
    about: 'one self-contained HTML page comparing runs (RunReports, sweeps)',
    load: async () => { const m = await import('./commands/report.js'); return { run: m.reportCommand, help: m.REPORT_HELP }; },
  },
  bench: {
    about: 'benchmark the shared training/inference workloads (JSON lines)',
    load: async () => { const m = await import('./commands/bench.js'); return { run: m.benchCommand, help: m.BENCH_HELP }; },
  },
  nir: {
    about: 'nir run: run a NIR graph on input rows from a CSV file, write its output spikes (and membranes) as CSV',
    load: async () => { const m = await import('./commands/nir.js'); return { run: m.nirCommand, help: m.NIR_COMMAND_HELP }; },
  },
};

/** apps/cli/package.json, one directory above both src/ and dist/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const USAGE = `spikelite ${version()}: spiking neural networks — train, convert, evaluate, measure energy

usage: spikelite <command> [flags]      (spikelite <command> --help: its flags and an example)

commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.about}`).join('\n')}

examples:
  spikelite compare --methods threshold,fs --limit-test 2000 --out runs/quick
  spikelite train --method diet --ann-epochs 3 --epochs 1 --timesteps 5 --out runs/diet
  spikelite eval --checkpoint runs/diet/snn --json

  --version prints the version. --verbose (any command) says why a faster backend did not load.
  SPIKELITE_BACKEND=tensorflow|wasm|cpu picks the tfjs backend (as --backend).
  Exit codes: 0 done; 2 bad flag, value or file (one line on stderr); 3 a check failed (import/export
  parity, NaN or infinite weights); 1 internal error.`;

const isHelp = (a: string): boolean => a === '--help' || a === '-h';

/** Prints a command's result: its JSON with --json, a RunReport's summary without. */
function print(result: unknown, json: boolean): void {
  if (result === null || result === undefined) return;
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else if (isRunReport(result)) process.stdout.write(`${summarize(result)}\n`);
}

async function main(all: string[]): Promise<number> {
  // --verbose is everyone's: taken off before the command parses its flags.
  const argv = all.filter((a) => a !== '--verbose');
  setVerbose(argv.length !== all.length);
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Usage on stderr: an empty command line is a mistake, and stdout stays clean for pipes.
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (isHelp(name) || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic] === undefined) throw new CliError(`help: unknown command '${topic}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    process.stdout.write(`${topic === undefined ? USAGE : (await COMMANDS[topic]!.load()).help}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    throw new CliError(`${name.startsWith('-') ? `unknown flag '${name}' before the command` : `unknown command '${name}'`} (commands: ${Object.keys(COMMANDS).join(', ')}; spikelite --help)`);
  }
  const command = await entry.load();
  // Every command's --help, here so that it wins over any other flag on the line.
  if (rest.some(isHelp)) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const result = await command.run(rest);
  const json = rest.includes('--json');
  if (result instanceof CommandOutcome) {
    print(result.value, json);
    process.stderr.write(`${result.line}\n`);
    return result.exitCode;
  }
  print(result, json);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const { line, code } = describeError(e);
    // A progress line or bar may be open on stderr: start the error on a line of its own.
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
    process.exit(code);
  },
);
