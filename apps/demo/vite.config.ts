import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * @spikelite/engine's initEngine loads the native backend with `import('@tensorflow/tfjs-node')`
 * (packages/engine/src/backend.ts): the `as string` cast there is erased, so bundlers follow the
 * literal into tfjs-node and node-pre-gyp and fail. The page never calls initEngine (see
 * src/backend.ts); give the bundle a stub that fails as "not installed" would.
 */
function stubTfjsNode(): Plugin {
  const id = '\0tfjs-node-stub';
  return {
    name: 'spikelite-demo:stub-tfjs-node',
    enforce: 'pre',
    resolveId: (source) => (source === '@tensorflow/tfjs-node' ? id : null),
    load: (source) => (source === id ? "throw new Error('@tensorflow/tfjs-node is not available in a browser');" : null),
  };
}

export default defineConfig({
  // Relative asset URLs: dist/web works from any path (a file server, GitHub pages, the test).
  base: './',
  // Workspace packages export their TypeScript sources under 'source': no package build needed.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [stubTfjsNode()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs (core, webgl, wasm, cpu, and the union package's layers/converter) is most of the bundle.
    chunkSizeWarningLimit: 4096,
  },
});
