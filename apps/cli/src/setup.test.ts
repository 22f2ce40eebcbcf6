/**
 * The CLI's Log on a fake stream: a cli-progress bar on a terminal, one overwritten line for
 * uncounted progress, and plain lines thinned to one per 30 s into a pipe or with --json.
 */
import { describe, expect, it } from 'vitest';
import { createLog, type LogStream, type ProgressCount } from './setup.js';

function fakeStream(isTTY: boolean, columns = 100): LogStream & { out: string } {
  const s = {
    isTTY, columns, out: '',
    write(chunk: string) {
      s.out += chunk;
      return true;
    },
  };
  return s;
}

/** The text a terminal would show: cursor moves and line clears dropped, \r returns to column 0. */
function screen(raw: string): string[] {
  const lines: string[] = [''];
  // eslint-disable-next-line no-control-regex
  for (const token of raw.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, (m) => (m === '\x1b[2K' || m.endsWith('G') ? '\r' : '')).split(/(\r|\n)/)) {
    if (token === '\n') lines.push('');
    else if (token === '\r') lines[lines.length - 1] = '';
    else lines[lines.length - 1] += token;
  }
  return lines;
}

describe('createLog on a terminal', () => {
  it('counted progress is a bar that ends at 100% and stays on screen when info follows', () => {
    const s = fakeStream(true);
    const log = createLog({ stream: s, json: false });
    for (let b = 1; b <= 4; b++) log.progress(`ann epoch 1/1 batch ${b}/4`, { value: b, total: 4 });
    log.info('ann epoch 1: test acc 80.00%');
    log.done();
    expect(screen(s.out)).toEqual([`${'█'.repeat(24)} 100% ann epoch 1/1 batch 4/4`, 'ann epoch 1: test acc 80.00%', '']);
    // The first render shows the first count: 1/4 = 25% of 24 cells.
    expect(s.out).toContain(`${'█'.repeat(6)}${'░'.repeat(18)}  25% ann epoch 1/1 batch 1/4`);
    // Autowrap is never switched off (a killed run would leave the terminal that way).
    expect(s.out).not.toContain('\x1b[?7l');
  });

  it('a new total or a count going back starts a new bar; the line never exceeds the width', () => {
    const s = fakeStream(true, 40);
    const log = createLog({ stream: s, json: false });
    log.progress('ann', { value: 10, total: 10 });
    log.progress('snn stage with a long message that does not fit', { value: 1, total: 5 });
    log.progress('snn again', { value: 0, total: 5 });
    log.done();
    const lines = screen(s.out);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`${'█'.repeat(24)} 100% ann`);
    expect(lines[1]).toBe(`${'█'.repeat(5)}${'░'.repeat(19)}  20% snn stage`);
    expect(lines[2]).toBe(`${'░'.repeat(24)}   0% snn again`);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(39);
  });

  it('uncounted progress overwrites one line; done ends it', () => {
    const s = fakeStream(true);
    const log = createLog({ stream: s, json: false });
    log.progress('calibrating layer 1');
    log.progress('calibrating layer 2');
    log.done();
    expect(s.out).toBe('\r\x1b[2Kcalibrating layer 1\r\x1b[2Kcalibrating layer 2\n');
    log.done(); // nothing open: nothing written
    expect(s.out.endsWith('layer 2\n')).toBe(true);
  });
});

describe('createLog into a pipe, and with --json', () => {
  for (const [what, isTTY, json] of [['a pipe', false, false], ['a terminal with --json', true, true]] as const) {
    it(`${what}: plain lines, at most one progress line per 30 s, info always`, () => {
      let t = 1_000_000;
      const s = fakeStream(isTTY);
      const log = createLog({ stream: s, json, now: () => t });
      const count: ProgressCount = { value: 1, total: 100 };
      log.progress('batch 1/100', count);
      t += 29_999;
      log.progress('batch 2/100', { value: 2, total: 100 });
      log.info('checkpoint written');
      t += 1;
      log.progress('batch 3/100', { value: 3, total: 100 });
      log.progress('batch 4/100');
      log.done();
      expect(s.out).toBe('batch 1/100\ncheckpoint written\nbatch 3/100\n');
    });
  }
});
