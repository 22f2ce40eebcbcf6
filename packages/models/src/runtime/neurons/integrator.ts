/** The output integrator as an activation (neurons/src/integrator.ts): U = U + I, output U (analog). */
import type { NeuronHandler } from './types.js';

export const integratorHandler: NeuronHandler = {
  kinds: ['integrator'],
  compile(_layer, node, x, ctx) {
    const out = ctx.value(node.output, true);
    const step = {
      path: node.path,
      output: out,
      spikes: 0,
      begin: () => out.data.fill(0),
      step() {
        const u = out.data;
        for (let i = 0; i < u.length; i++) u[i]! += x.data[i]!;
        out.count = -1;
      },
    };
    return step;
  },
};
