import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: dist/web works from any path (a file server, GitHub pages, the test).
  base: './',
  // Workspace packages export their TypeScript sources under 'source': no package build needed.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs (core, webgl, wasm, cpu, and the union package's layers/converter) is most of the bundle.
    chunkSizeWarningLimit: 4096,
  },
});
