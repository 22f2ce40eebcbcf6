import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Workspace packages are resolved to their TypeScript sources
 * through the `source` export condition, so tests never need a prior build.
 */
export function sharedConfig(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['source', 'node', 'import', 'default'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      pool: 'forks',
      // Two cores are shared by everything; one test file at a time keeps timings sane.
      fileParallelism: false,
    },
  });
}
