import { sharedConfig } from '../../tooling/vitest.shared.js';

// The browser test builds the page and starts chromium: minutes on the shared 2-core machine.
export default sharedConfig({ testTimeout: 240_000 });
