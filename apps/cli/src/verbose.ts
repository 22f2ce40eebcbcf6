/** --verbose (any command; main takes it off the command line): the reasons behind fallbacks, e.g. why tfjs-node did not load. */
let verbose = false;

export function setVerbose(on: boolean): void {
  verbose = on;
}

export function isVerbose(): boolean {
  return verbose;
}
