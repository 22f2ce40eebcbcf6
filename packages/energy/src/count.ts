/**
 * Operation counts and compute energy of a network run as an ANN and as an SNN (SPEC
 * "Energy accounting"; formulas and per-paper conventions in ../README.md).
 *
 * Headline (`energy`, the RunReport object): ANN E = E_MAC·Σ F_l; SNN layer l costs F_l·ζ
 * accumulates, ζ = spikes per neuron per image (over all T) of the neurons feeding it, and a
 * layer fed by the encoded input costs F_1 MACs for every timestep whose input is analog plus
 * F_1·ζ_in ACs for the input spikes. That is the papers' "compute energy": synaptic operations
 * only. Neuron updates (FS neurons' K internal steps included), pooling and residual adds are
 * counted and reported separately, and enter `energy` only with `includeNeuronUpdates`.
 */
import { GRAPH_INPUT, shapeSize, type CompiledGraph, type Source } from '@spikelite/models';
import { pair, type EnergyProfile, type NeuronUpdateOps } from '@spikelite/schemas';

export interface LayerOps {
  layer: string;
  /** ANN multiply-accumulates per image. */
  annMacs: number;
  /** SNN accumulates per image (a binary spike times a weight). */
  snnAcs: number;
  /** SNN multiply-accumulates per image (analog or graded inputs). */
  snnMacs: number;
  snnPj: number;
}

/** Operations one neuron performs per update (the type @spikelite/neurons declares its kinds' `updateOps` with). */
export type { NeuronUpdateOps };

/** One activation layer's neurons: ops per update and updates per image. */
export interface LayerUpdates {
  readonly ops: NeuronUpdateOps;
  /** Updates per neuron per image: T for step neurons, K for FS neurons (block of K internal steps). */
  readonly steps: number;
  /** Neuron kind, for the report only (e.g. 'lif', 'fs'). */
  readonly kind?: string;
}

export interface EnergyInput {
  graph: CompiledGraph;
  /** Spikes per neuron per image over all timesteps, for each activation layer (ζ). */
  spikesPerNeuron: readonly number[];
  /**
   * How the first layer's input was fed: `analogSteps` timesteps of analog values (MACs each)
   * and, on the other steps, `inputSpikesPerElement` spikes per input element per image (ACs).
   * Direct encoding: analogSteps = T; hybrid: 1 and the temporal spikes; rate: 0; FS: 1.
   * `spikesPerElementByStep` (length T, optional) splits the input spikes per timestep.
   */
  input: { analogSteps: number; inputSpikesPerElement: number; spikesPerElementByStep?: readonly number[] };
  /**
   * Measured input events per element per image of each weight layer (graph.weightLayers
   * order; null or absent = derive from ζ of its source). With binary spikes this is what a
   * layer really receives: a max pool between the neurons and the layer passes an OR of its
   * window, so more spikes per element arrive than the neurons emitted per element. Used for
   * layers not fed by the input, when spikes are binary (not gradedSpikes).
   */
  inputEventsPerElement?: ReadonlyArray<number | null>;
  /** True when spikes carry graded values (FS neurons: d(t)): their synapses then cost `gradedSpikeCost`. */
  gradedSpikes?: boolean;
  /**
   * A graded spike w·d(t) is a MAC when one weight copy is stored ('mac', default), an AC
   * when K pre-multiplied copies are stored ('ac') (SPEC [INF]). The other is reported in
   * `alternatives.gradedSpikes`.
   */
  gradedSpikeCost?: 'mac' | 'ac';
  profile: EnergyProfile;
  /**
   * Timesteps T of the network run (1 for an ANN and for FS, whose K steps are inside the
   * neurons). Default: max(1, analogSteps, spikesPerElementByStep.length). Used for the
   * per-timestep rows and for the dense per-step ops (conv-shortcut residual adds, max pooling).
   */
  timesteps?: number;
  /** Neuron update ops per activation layer (graph order) and, optionally, of the output integrator. */
  neuronUpdates?: { layers: readonly LayerUpdates[]; output?: LayerUpdates };
  /** Ops of one ANN activation (default ReLU: one compare); the ANN side of the neuron-update row. */
  annActivationOps?: NeuronUpdateOps;
  /**
   * Add neuron updates, pooling and residual adds to `energy` (annPj and snnPj). Default
   * false: `energy` is the papers' compute energy; the extras are in their own fields and in `total`.
   */
  includeNeuronUpdates?: boolean;
}

/** The RunReport `energy` object (DESIGN.md "RunReport"). */
export interface EnergyReport {
  profile: string;
  annPj: number;
  snnPj: number;
  /** annPj / snnPj; 0 when snnPj is 0 (JSON has no Infinity). Below 1 when the SNN costs more. */
  ratio: number;
  perLayer: LayerOps[];
}

export interface Totals {
  annPj: number;
  snnPj: number;
  ratio: number;
}

export interface NeuronUpdateRow {
  layer: string;
  kind: string | null;
  neurons: number;
  /** Updates per neuron per image (T, or K for FS neurons). */
  steps: number;
  /** SNN ops per image: neurons · steps · updateOps. */
  mul: number;
  add: number;
  compare: number;
  /** ANN activation ops per image (neurons · annActivationOps); 0 for the output integrator. */
  annOps: number;
  annPj: number;
  snnPj: number;
}

export interface PoolingRow {
  layer: string;
  op: 'avgPool' | 'maxPool' | 'globalAvgPool';
  /** ANN adds (average) or compares (max) per image. */
  annOps: number;
  /** SNN adds per image (average pooling: one per arriving spike) or compares (max: every step). */
  snnOps: number;
  annPj: number;
  snnPj: number;
}

export interface ResidualRow {
  layer: string;
  shortcut: 'identity' | 'conv';
  annAdds: number;
  snnAdds: number;
  annPj: number;
  snnPj: number;
}

export interface AnalogInputLayer {
  layer: string;
  /** F_1: MACs of one analog step (= the ANN layer). */
  macsPerStep: number;
  /** t = 1..T: MACs on analog steps; ACs from input spikes (null when only their total is known). */
  perTimestep: Array<{ t: number; macs: number; acs: number | null }>;
  /** Σ over steps. */
  macs: number;
  acs: number;
}

export interface EnergyAccount {
  /** The RunReport energy object: compute energy, plus the extras when `includeNeuronUpdates`. */
  energy: EnergyReport;
  includeNeuronUpdates: boolean;
  timesteps: number;
  /** Synaptic (MAC/AC) energy only: the papers' "compute energy". */
  compute: Totals;
  /** Everything counted: synaptic + neuron updates + pooling + residual adds. */
  total: Totals;
  /** How layer 1 was fed, in words, and its MACs/ACs per timestep. */
  analogInput: { convention: string; analogSteps: number; inputSpikesPerElement: number; layers: AnalogInputLayer[] };
  /** Null when no update ops were passed in. */
  neuronUpdates: { costing: 'neuronUpdatePj' | 'ops'; perLayer: NeuronUpdateRow[]; annPj: number; snnPj: number } | null;
  pooling: { perLayer: PoolingRow[]; annPj: number; snnPj: number };
  residual: { perLayer: ResidualRow[]; annPj: number; snnPj: number };
  alternatives: {
    /** SPEC: whether papers count F_1 once or T times is UNKNOWN; `energy` with F_1 counted once. */
    firstLayerOnce: Totals;
    /** With graded spikes, `energy` under the other cost ('ac' ↔ 'mac'); null without graded spikes. */
    gradedSpikes: (Totals & { cost: 'mac' | 'ac' }) | null;
  };
}

/**
 * MACs per image of each weight layer (conv: kh·kw·(Cin/groups)·Cout·Hout·Wout; linear: in·out
 * per position of its leading axes).
 */
export function macsPerLayer(graph: CompiledGraph): Array<{ layer: string; macs: number; source: Source }> {
  const shapes = new Map(graph.params.map((p) => [p.name, p.shape] as const));
  return graph.weightLayers.map((n) => {
    const k = shapes.get(n.kernel)!;
    const macs = n.op === 'linear' ? k[0]! * shapeSize(n.output) : k[0]! * k[1]! * k[2]! * shapeSize(n.output);
    return { layer: n.path, macs, source: n.source };
  });
}

/** Default ANN activation: ReLU, max(0, x), one compare per neuron. */
export const RELU_OPS: NeuronUpdateOps = Object.freeze({ mul: 0, add: 0, compare: 1 });

/** Energy of a multiply alone: Horowitz's MAC = multiply + add, so E_mul = E_MAC − E_AC (FP32 3.7 pJ, INT32 3.1 pJ). */
export const mulPj = (profile: EnergyProfile): number => Math.max(0, profile.macPj - profile.acPj);

/** Energy of ops costed one by one: a multiply at E_MAC − E_AC, an add or a compare at E_AC. */
export function opsPj(ops: NeuronUpdateOps, profile: EnergyProfile): number {
  return ops.mul * mulPj(profile) + (ops.add + ops.compare) * profile.acPj;
}

const ratioOf = (annPj: number, snnPj: number): number => (snnPj > 0 ? annPj / snnPj : 0);
const totals = (annPj: number, snnPj: number): Totals => ({ annPj, snnPj, ratio: ratioOf(annPj, snnPj) });
const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((a, x) => a + f(x), 0);
const scaleOps = (o: NeuronUpdateOps, k: number): NeuronUpdateOps => ({ mul: o.mul * k, add: o.add * k, compare: o.compare * k });

function checkCount(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`computeEnergy: ${what} must be a finite number ≥ 0, got ${value}`);
}

function validate(input: EnergyInput): void {
  const layers = input.graph.activations.length;
  if (input.spikesPerNeuron.length !== layers) {
    throw new Error(`computeEnergy: spikesPerNeuron has ${input.spikesPerNeuron.length} entries but the graph has ${layers} activation layers`);
  }
  input.spikesPerNeuron.forEach((z, i) => checkCount(z, `spikesPerNeuron[${i}]`));
  checkCount(input.input.analogSteps, 'input.analogSteps');
  checkCount(input.input.inputSpikesPerElement, 'input.inputSpikesPerElement');
  input.input.spikesPerElementByStep?.forEach((z, i) => checkCount(z, `input.spikesPerElementByStep[${i}]`));
  // Measured events only enter with binary spikes (graded spikes cost by ζ), so only then must they be counts.
  const ev = input.gradedSpikes === true ? undefined : input.inputEventsPerElement;
  if (ev !== undefined) {
    if (ev.length !== input.graph.weightLayers.length) {
      throw new Error(`computeEnergy: inputEventsPerElement has ${ev.length} entries but the graph has ${input.graph.weightLayers.length} weight layers`);
    }
    ev.forEach((z, i) => z !== null && checkCount(z, `inputEventsPerElement[${i}]`));
  }
  if (input.timesteps !== undefined && !(Number.isInteger(input.timesteps) && input.timesteps >= 1)) {
    throw new Error(`computeEnergy: timesteps must be a positive integer, got ${input.timesteps}`);
  }
  const nu = input.neuronUpdates;
  if (nu !== undefined && nu.layers.length !== layers) {
    throw new Error(`computeEnergy: neuronUpdates.layers has ${nu.layers.length} entries but the graph has ${layers} activation layers`);
  }
}

/** What the first layer's input schedule is, in words (the convention each paper uses: README). */
export function describeInput(input: EnergyInput['input'], timesteps: number): string {
  const { analogSteps: a, inputSpikesPerElement: s } = input;
  if (a === 0) return s > 0 ? 'spike input only: layer 1 does ACs (rate/temporal code; ICLR 2020 Poisson)' : 'no input';
  const spikes = s > 0 ? `, then input spikes as ACs (${s.toFixed(3)} per element)` : '';
  if (a >= timesteps && timesteps > 1) return `analog input at all ${timesteps} steps: layer 1 does F_1 MACs every step (DIET direct input)${spikes}`;
  if (a === 1 && timesteps > 1) return `analog input at the first step only: F_1 MACs once${spikes} (hybrid encoding)`;
  if (a === 1) return `analog input once: F_1 MACs once (ANN, FS conversion, T = 1)${spikes}`;
  return `analog input at ${a} of ${timesteps} steps${spikes}`;
}

interface Mode {
  /** Cost the ANN as itself: neuron updates by ops on both sides (ratio 1 exactly). */
  ann: boolean;
}

function account(input: EnergyInput, mode: Mode): EnergyAccount {
  validate(input);
  const { profile, graph } = input;
  const spikes = input.spikesPerNeuron;
  const byStep = input.input.spikesPerElementByStep;
  const T = input.timesteps ?? Math.max(1, Math.ceil(input.input.analogSteps), byStep?.length ?? 0);
  const graded = input.gradedSpikes === true;
  const gradedCost = input.gradedSpikeCost ?? 'mac';
  const include = input.includeNeuronUpdates === true;

  /**
   * ζ of a source (spikes per element per image): a concatenation weighs each activation by its
   * share of the elements, a sum adds them (each spike of either operand arrives).
   */
  const zeta = (source: Source): number => {
    if (source.kind === 'activation') return spikes[source.index]!;
    if (source.kind === 'mixed') return sum(source.parts, (p) => p.weight * spikes[p.index]!);
    return 0;
  };
  /** Events per element per image arriving from a source: spikes, every analog step plus the input spikes, or every step (analog values). */
  const events = (source: Source): number =>
    source.kind === 'input' ? input.input.analogSteps + input.input.inputSpikesPerElement : source.kind === 'analog' ? T : zeta(source);

  // Synaptic operations (the headline).
  const macs = macsPerLayer(graph);
  const measured = graded ? undefined : input.inputEventsPerElement;
  const perLayer: LayerOps[] = macs.map(({ layer, macs: F, source }, i) => {
    let snnMacs = 0;
    let snnAcs = 0;
    if (source.kind === 'input') {
      snnMacs = F * input.input.analogSteps;
      snnAcs = F * input.input.inputSpikesPerElement;
    } else if (source.kind === 'analog') {
      // A layer fed by analog values (a linear bottleneck, a BatchNorm after a concat): dense every step.
      snnMacs = F * T;
    } else if (graded && gradedCost === 'mac') {
      snnMacs = F * zeta(source);
    } else {
      snnAcs = F * (measured?.[i] ?? zeta(source));
    }
    return { layer, annMacs: F, snnAcs, snnMacs, snnPj: snnMacs * profile.macPj + snnAcs * profile.acPj };
  });

  const analogLayers: AnalogInputLayer[] = macs
    .filter((m) => m.source.kind === 'input')
    .map(({ layer, macs: F }) => {
      const perTimestep = Array.from({ length: T }, (_, i) => ({
        t: i + 1,
        macs: i < input.input.analogSteps ? F : 0,
        acs: byStep !== undefined ? F * (byStep[i] ?? 0) : input.input.inputSpikesPerElement === 0 ? 0 : null,
      }));
      return { layer, macsPerStep: F, perTimestep, macs: F * input.input.analogSteps, acs: F * input.input.inputSpikesPerElement };
    });

  // Neuron updates (FS neurons: K steps per neuron).
  let neuronUpdates: EnergyAccount['neuronUpdates'] = null;
  if (input.neuronUpdates !== undefined) {
    const annAct = input.annActivationOps ?? RELU_OPS;
    const lump = !mode.ann && profile.neuronUpdatePj > 0;
    const row = (layer: string, neurons: number, u: LayerUpdates, annOps: NeuronUpdateOps | null): NeuronUpdateRow => {
      const ops = scaleOps(u.ops, neurons * u.steps);
      const ann = annOps === null ? { mul: 0, add: 0, compare: 0 } : scaleOps(annOps, neurons);
      return {
        layer, kind: u.kind ?? null, neurons, steps: u.steps, ...ops,
        annOps: ann.mul + ann.add + ann.compare,
        annPj: opsPj(ann, profile),
        snnPj: lump ? neurons * u.steps * profile.neuronUpdatePj : opsPj(ops, profile),
      };
    };
    const rows = graph.activations.map((a, i) => row(a.path, shapeSize(a.input), input.neuronUpdates!.layers[i]!, annAct));
    const out = input.neuronUpdates.output;
    const last = graph.weightLayers[graph.weightLayers.length - 1];
    if (out !== undefined && last !== undefined) rows.push(row(`${last.path} (output integrator)`, shapeSize(last.output), out, null));
    neuronUpdates = { costing: lump ? 'neuronUpdatePj' : 'ops', perLayer: rows, annPj: sum(rows, (r) => r.annPj), snnPj: sum(rows, (r) => r.snnPj) };
  }

  // Pooling, residual adds and gates, node by node, from what each node's inputs carry.
  const pools: PoolingRow[] = [];
  const residuals: ResidualRow[] = [];
  const carrier = (id: number): Source => (id === GRAPH_INPUT ? { kind: 'input' } : graph.carries[id]!);
  const spiking = (s: Source): boolean => s.kind === 'activation' || s.kind === 'mixed';
  for (const node of graph.nodes) {
    switch (node.op) {
      case 'avgPool':
      case 'maxPool':
      case 'sumPool': {
        const [kh, kw] = pair(node.layer.poolSize);
        const out = shapeSize(node.output);
        // Average/sum: every window input is added once (the 1/k² scale folds into the next weights);
        // on spikes only arriving events add. Max: k²−1 compares per output, on spikes every step (an OR).
        const annOps = node.op === 'maxPool' ? out * (kh * kw - 1) : out * kh * kw;
        const snnOps = node.op === 'maxPool' ? annOps * T : annOps * events(carrier(node.inputs[0]!));
        pools.push({ layer: node.path, op: node.op === 'sumPool' ? 'avgPool' : node.op, annOps, snnOps, annPj: annOps * profile.acPj, snnPj: snnOps * profile.acPj });
        break;
      }
      case 'globalAvgPool':
      case 'globalMaxPool': {
        const annOps = shapeSize(node.input);
        const snnOps = node.op === 'globalMaxPool' ? annOps * T : annOps * events(carrier(node.inputs[0]!));
        pools.push({ layer: node.path, op: node.op === 'globalMaxPool' ? 'maxPool' : 'globalAvgPool', annOps, snnOps, annPj: annOps * profile.acPj, snnPj: snnOps * profile.acPj });
        break;
      }
      case 'add':
      case 'sub': {
        const sources = node.inputs.map(carrier);
        if (node.residual === null && node.inputs.some((i) => i !== GRAPH_INPUT && graph.nodes[i]!.op === 'constant')) break; // a bias, not a merge
        const elems = shapeSize(node.output);
        // Spikes add once per arriving event into the other operand; two analog operands add every step.
        const spikeEvents = sum(sources.filter(spiking), events);
        const snnAdds = sources.every(spiking) || sources.some(spiking) ? elems * spikeEvents : elems * T;
        const identity = node.residual?.identity ?? sources.some(spiking);
        residuals.push({ layer: node.path, shortcut: identity ? 'identity' : 'conv', annAdds: elems, snnAdds, annPj: elems * profile.acPj, snnPj: snnAdds * profile.acPj });
        break;
      }
      case 'mul':
      case 'div':
      case 'affine': {
        // A gate (squeeze-and-excitation) or a scale: one multiply per element, in the SNN per
        // event of the full-size operand. Costed as MACs with the weight layers (never dropped).
        if (node.op === 'affine' && node.scale === null) break;
        const elems = shapeSize(node.output);
        const snnMuls = elems * events(node.op === 'affine' ? carrier(node.inputs[0]!) : graph.carries[node.id]!);
        perLayer.push({ layer: `${node.path} (${node.op})`, annMacs: elems, snnAcs: 0, snnMacs: snnMuls, snnPj: snnMuls * profile.macPj });
        break;
      }
      default:
        break;
    }
  }
  // Σ (F_l·E_MAC), summed like the SNN side, so that an ANN costed as itself has ratio exactly 1.
  const compute = totals(sum(perLayer, (l) => l.annMacs * profile.macPj), sum(perLayer, (l) => l.snnPj));
  const pooling = { perLayer: pools, annPj: sum(pools, (p) => p.annPj), snnPj: sum(pools, (p) => p.snnPj) };
  const residual = { perLayer: residuals, annPj: sum(residuals, (r) => r.annPj), snnPj: sum(residuals, (r) => r.snnPj) };

  const extraAnn = (neuronUpdates?.annPj ?? 0) + pooling.annPj + residual.annPj;
  const extraSnn = (neuronUpdates?.snnPj ?? 0) + pooling.snnPj + residual.snnPj;
  const total = totals(compute.annPj + extraAnn, compute.snnPj + extraSnn);
  const headline = include ? total : compute;
  const energy: EnergyReport = { profile: profile.name, annPj: headline.annPj, snnPj: headline.snnPj, ratio: headline.ratio, perLayer };

  // Alternatives on the same basis as `energy`: only the changed layers' SNN energy differs.
  const analogSteps = input.input.analogSteps;
  const onceSaving = analogSteps > 1 ? sum(analogLayers, (l) => l.macsPerStep * (analogSteps - 1)) * profile.macPj : 0;
  const firstLayerOnce = totals(energy.annPj, energy.snnPj - onceSaving);
  let gradedAlt: EnergyAccount['alternatives']['gradedSpikes'] = null;
  if (graded && !mode.ann) {
    const cost = gradedCost === 'mac' ? 'ac' : 'mac';
    const gradedOps = sum(perLayer, (l) => (gradedCost === 'mac' ? l.snnMacs : l.snnAcs)) - (gradedCost === 'mac' ? sum(analogLayers, (l) => l.macs) : sum(analogLayers, (l) => l.acs));
    const delta = gradedOps * (cost === 'ac' ? profile.acPj - profile.macPj : profile.macPj - profile.acPj);
    gradedAlt = { cost, ...totals(energy.annPj, energy.snnPj + delta) };
  }

  return {
    energy,
    includeNeuronUpdates: include,
    timesteps: T,
    compute,
    total,
    analogInput: { convention: describeInput(input.input, T), analogSteps, inputSpikesPerElement: input.input.inputSpikesPerElement, layers: analogLayers },
    neuronUpdates,
    pooling,
    residual,
    alternatives: { firstLayerOnce, gradedSpikes: gradedAlt },
  };
}

/** The full account: the RunReport `energy` object plus every separately reported count. */
export function accountEnergy(input: EnergyInput): EnergyAccount {
  return account(input, { ann: false });
}

/** The RunReport `energy` object (compute energy; with `includeNeuronUpdates`, the extras too). */
export function computeEnergy(input: EnergyInput): EnergyReport {
  return accountEnergy(input).energy;
}

/**
 * An ANN costed as itself (ratio 1): every layer's MACs once, as an "SNN" whose neurons each
 * send one graded value per image; neuron updates are its activations (annActivationOps, by ops:
 * ReLU's one compare by default, for every activation function — a SiLU's exp and divide are not costed).
 */
export function accountAnnEnergy(input: {
  graph: CompiledGraph;
  profile: EnergyProfile;
  annActivationOps?: NeuronUpdateOps;
  includeNeuronUpdates?: boolean;
}): EnergyAccount {
  const act = input.annActivationOps ?? RELU_OPS;
  return account(
    {
      graph: input.graph,
      profile: input.profile,
      spikesPerNeuron: input.graph.activations.map(() => 1),
      input: { analogSteps: 1, inputSpikesPerElement: 0 },
      gradedSpikes: true,
      gradedSpikeCost: 'mac',
      timesteps: 1,
      neuronUpdates: { layers: input.graph.activations.map((a) => ({ ops: act, steps: 1, kind: a.layer.fn })) },
      annActivationOps: act,
      includeNeuronUpdates: input.includeNeuronUpdates ?? false,
    },
    { ann: true },
  );
}
