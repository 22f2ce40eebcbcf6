/**
 * `--method hybrid` (single-spike hybrid input encoding, Datta, Kundu & Beerel; SPEC §1):
 *  - input: the analog image at step 0, then one temporal spike per pixel (brighter earlier);
 *  - every hidden activation is a single-spike LIF (fires at most once per image) with the
 *    neuron defaults λ = 1 fixed, θ trainable, reset to 0 after the spike; surrogate: the
 *    STDB variant's pre-spike branch (linear, γ = 0.3) masked after the spike (default), or
 *    the full STDB variant with --surrogate stdb (see `hybridNeuron`);
 *  - the output layer is SnnModel's integrator U(t) = U(t−1) + W·s(t) (no spikes), whose
 *    trace feeds the spike-time + membrane loss L = CE(U(T)) + CE(−t_out), t_out the first
 *    crossing of θ_out by U(t) (see `deriveOutputThreshold` for θ_out);
 *  - start: the ANN (--ann-epochs) and DIET threshold balancing, as `diet` does, then the
 *    output layer's kernel × θ of the last hidden layer; with --init scratch the random
 *    weights are used and only the thresholds are balanced.
 * Choices are documented in apps/cli/METHODS.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { epochOrder, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng } from '@spikelite/engine';
import { SnnModel } from '@spikelite/models';
import { HYBRID_THRESHOLD_SCALE, TrainConfig, parseWith } from '@spikelite/schemas';
import { deriveOutputThreshold, hybridEncoding, hybridNeuron, measureInputSpikes, OUTPUT_THRESHOLD_FRACTION, scaleOutputLayer } from '@spikelite/conversion';
import { snnTarget } from '@spikelite/training';
import { imageTensor } from '../setup.js';
import { balanceInto, resumes, trainAnnStage, trainStage, type MethodContext, type MethodResult, type TrainMethodDefinition } from './context.js';

/** θ scale after balancing (--scale): the hybrid recipe's default (see METHODS.md). */
export const HYBRID_DEFAULT_SCALE = HYBRID_THRESHOLD_SCALE;
/** Surrogate of the hidden neurons (--surrogate); see `hybridNeuron` in @spikelite/conversion. */
export const HYBRID_DEFAULT_SURROGATE: 'stdb' | 'linear' = 'linear';
/** Fine-tuning learning rate (--lr). DIET's 1e-4 is too slow to re-learn binary (single-spike) units in a few epochs. */
export const HYBRID_DEFAULT_LR = 5e-4;

/**
 * The most spikes any hidden neuron emitted for one image, per layer, over `set` (the issue's
 * "no hidden neuron fires twice" check, run on the whole test set rather than trusted).
 */
export function maxSpikesPerNeuron(snn: SnnModel, set: ImageSet, batchSize = 250): number[] {
  const worst = snn.neurons.map(() => 0);
  for (let i = 0; i < set.count; i += batchSize) {
    const n = Math.min(batchSize, set.count - i);
    const x = imageTensor(set, i, n);
    const sums: Array<tf.Tensor | null> = snn.neurons.map(() => null);
    tf.tidy(() => {
      snn.forward(x, {
        release: true,
        onSpikes: (layer, _t, spikes) => {
          const prev = sums[layer] ?? null;
          sums[layer] = tf.keep(prev === null ? tf.clone(spikes) : tf.add(prev, spikes));
          prev?.dispose();
        },
      });
    });
    sums.forEach((s, l) => {
      if (s === null) return;
      worst[l] = Math.max(worst[l]!, tf.tidy(() => tf.max(s).dataSync()[0]!));
      s.dispose();
    });
    x.dispose();
  }
  return worst;
}

export interface HybridRun {
  result: MethodResult;
  snn: SnnModel;
  outputThreshold: number;
}

/** The whole hybrid pipeline; returns the trained SNN too (tests inspect its spikes). */
export async function trainHybrid(ctx: MethodContext): Promise<HybridRun> {
  const { timesteps, epochs, batch, seed } = ctx.flags;
  const init = ctx.flags.init ?? 'ann';
  const ann = init === 'ann' ? await trainAnnStage(ctx, ctx.flags.annEpochs, ctx.flags.annLr) : null;
  const neuron = hybridNeuron(ctx.flags.surrogate);
  const encoding = hybridEncoding();
  const snn = new SnnModel(ctx.net, { timesteps, neuron, encoder: createEncoder(encoding, { timesteps }) });
  // From scratch the weights stay random; balancing still sets θ to the scale of their inputs.
  await balanceInto(ctx, snn, ctx.flags.scale ?? HYBRID_DEFAULT_SCALE);
  if (!resumes(ctx, 'snn')) {
    const factor = scaleOutputLayer(snn);
    ctx.log.info(factor === null ? 'output layer not rescaled (not a single weight layer fed by the last activation)' : `output layer weights × ${factor.toFixed(4)} (θ of the last hidden layer)`);
  }

  let outputThreshold: number;
  if (ctx.flags.outThreshold !== undefined) outputThreshold = ctx.flags.outThreshold;
  else if (resumes(ctx, 'snn')) {
    const saved = JSON.parse(await readFile(join(ctx.dirs.resume!, 'hybrid.json'), 'utf8')) as { outputThreshold: number };
    outputThreshold = saved.outputThreshold;
  } else {
    const order = epochOrder(ctx.data.train.count, createRng(seed + 2));
    const calib = takeFirst(subset(ctx.data.train, Array.from(order)), Math.min(ctx.flags.calib, ctx.data.train.count));
    const images = imageTensor(calib);
    outputThreshold = deriveOutputThreshold(snn, images);
    images.dispose();
  }
  ctx.log.info(`output threshold θ_out = ${outputThreshold.toFixed(4)}${ctx.flags.outThreshold === undefined ? ` (${OUTPUT_THRESHOLD_FRACTION} × median max U(T))` : ' (--out-threshold)'}`);
  if (ctx.dirs.out) await writeFile(join(ctx.dirs.out, 'hybrid.json'), JSON.stringify({ outputThreshold, init }, null, 1));

  const config = parseWith(
    TrainConfig,
    {
      method: 'hybrid', timesteps, epochs, batchSize: batch, seed, encoding, neuron,
      optimizer: { kind: 'adam', lr: ctx.flags.lr ?? HYBRID_DEFAULT_LR },
      loss: { kind: 'spikeTimeCe', membraneWeight: 1, timeWeight: 1 },
    },
    'train config',
  );
  const target = snnTarget(snn, config.loss, { outputThreshold });
  const r = await trainStage(ctx, 'snn', target, config, { spec: ctx.spec, method: 'hybrid', neuron, encoding });
  ctx.log.info(`thresholds per layer: ${snn.neurons.map((n) => (n.mode === 'step' ? n.getParameter('threshold').map((v) => v.toFixed(3)).join('/') : '-')).join(', ')}`);
  ctx.log.info(`spikes per hidden neuron per layer: ${(r.final.perLayer ?? []).map((l) => l.spikesPerNeuron.toFixed(4)).join(', ')} (≤ 1 by construction)`);
  const worst = maxSpikesPerNeuron(snn, ctx.data.test);
  const twice = worst.some((w) => w > 1);
  ctx.log.info(`most spikes of one hidden neuron for one image, per layer, over all ${ctx.data.test.count} test images: ${worst.join(', ')}${twice ? ' — A NEURON FIRED MORE THAN ONCE' : ' (none fired twice)'}`);
  if (ctx.dirs.out) await writeFile(join(ctx.dirs.out, 'hybrid.json'), JSON.stringify({ outputThreshold, init, maxSpikesPerNeuronPerImage: worst, testImages: ctx.data.test.count }, null, 1));
  const testImages = imageTensor(ctx.data.test);
  const inputSpikesPerElement = measureInputSpikes(snn.encoder, testImages);
  testImages.dispose();
  ctx.log.info(`temporal input spikes per pixel (test set): ${inputSpikesPerElement.toFixed(4)}`);
  return {
    result: { result: r.final, annAccuracy: ann?.final.accuracy ?? null, timesteps, input: { analogSteps: 1, inputSpikesPerElement } },
    snn,
    outputThreshold,
  };
}

export const hybridMethod: TrainMethodDefinition = {
  about: 'single-spike hybrid encoding: analog input at t=0 then temporal spikes, single-spike neurons, spike-time + membrane loss (ANN init or --init scratch)',
  async run(ctx) {
    return (await trainHybrid(ctx)).result;
  },
};
