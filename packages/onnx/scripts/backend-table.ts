/**
 * Passes per operator of ONNX's backend node tests (test/backend.ts), written into the README.
 *
 *     cd packages/onnx && npx tsx --conditions source scripts/backend-table.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { initEngine } from '@spikelite/engine';
import { listedTests, passTable, runNodeTest } from '../test/backend.js';

await initEngine({ backend: 'cpu' });
const table = passTable(listedTests().map(({ test, op }) => runNodeTest(test, op)));
console.log(table);
const path = new URL('../README.md', import.meta.url);
const text = readFileSync(path, 'utf8');
writeFileSync(path, text.replace(/<!-- backend:begin -->[\s\S]*<!-- backend:end -->/, `<!-- backend:begin -->\n${table}\n<!-- backend:end -->`));
