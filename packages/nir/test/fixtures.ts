/** Paths of the committed NIR fixtures (tooling/fixtures/nir). */
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('../../../tooling/fixtures/nir/', import.meta.url).pathname;
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(`${FIXTURES}${name}`));
