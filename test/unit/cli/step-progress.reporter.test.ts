import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStepProgressReporter } from '../../../src/cli/step-progress.reporter.ts';

describe('generate progress off a terminal', () => {
  it('prints about ten plain lines per phase, always the first and the last step', () => {
    const lines: string[] = [];
    const reporter = createStepProgressReporter({ interactive: false, stream: new PassThrough(), line: (text) => lines.push(text) });
    for (let step = 1; step <= 50; step++) reporter.step('generating', step, 50);
    for (let step = 1; step <= 3; step++) reporter.step('upscaling', step, 3);
    reporter.finish();
    const generating = lines.filter((line) => line.startsWith('generating'));
    expect(generating[0]).toBe('generating: step 1/50');
    expect(generating.at(-1)).toBe('generating: step 50/50');
    expect(generating.length).toBeLessThanOrEqual(11);
    expect(lines.filter((line) => line.startsWith('upscaling'))).toEqual(['upscaling: step 1/3', 'upscaling: step 2/3', 'upscaling: step 3/3']);
  });
});
