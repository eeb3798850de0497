import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPullProgressReporter } from '../../../src/cli/pull-progress.reporter.ts';

function capture(isTTY: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  Object.assign(stream, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('pull progress reporter', () => {
  it('prints a plain line at most once per interval when stderr is not a terminal', () => {
    const { stream, text } = capture(false);
    let clock = 0;
    const reporter = createPullProgressReporter({ name: 'lcm', stream, interactive: false, intervalMs: 10_000, now: () => clock });
    const total = 4_000_000_000;
    for (let second = 0; second <= 25; second += 1) {
      clock = second * 1000;
      reporter.onProgress({ file: 'unet/model.onnx_data', fileBytes: 0, fileTotal: 0, doneBytes: second * 100_000_000, totalBytes: total });
    }
    reporter.finish();
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(3); // t = 0 s, 10 s, 20 s
    // At 10 s: 1.0 GB of 4.0 GB = 25 %, 100 MB/s since the first report.
    expect(lines[1]).toBe('pulling lcm: 25% (1.00 GB / 4.00 GB, 100 MB/s) unet/model.onnx_data');
  });

  it('draws a bar with the percentage and sizes on a terminal', () => {
    const { stream, text } = capture(true);
    const reporter = createPullProgressReporter({ name: 'lcm', stream, interactive: true, intervalMs: 10_000, now: () => 0 });
    reporter.onProgress({ file: 'unet/model.onnx', fileBytes: 0, fileTotal: 0, doneBytes: 500_000_000, totalBytes: 2_000_000_000 });
    reporter.finish();
    expect(text()).toContain('25%');
    expect(text()).toContain('500 MB / 2.00 GB');
    expect(text()).toContain('unet/model.onnx');
  });
});
