import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsPull, type PullCommandOptions } from '../../../src/cli/models.actions.ts';
import { unreachableUrl } from '../models/support/fake-hub.ts';
import { startTwoModelHub, type TwoModelHub } from '../models/support/two-model-hub.ts';

describe('`darkroom models pull` against a fake hub', () => {
  let scene: TwoModelHub;
  let stderr: PassThrough;
  let stderrText: string;
  const options = (overrides: Partial<PullCommandOptions> = {}): PullCommandOptions => ({
    catalog: scene.catalog,
    modelsDir: scene.modelsDir,
    hubUrl: scene.hub.url,
    token: undefined,
    stderr,
    interactive: false,
    signal: undefined,
    now: () => 0,
    ...overrides,
  });

  beforeEach(async () => {
    scene = await startTwoModelHub();
    stderr = new PassThrough();
    stderrText = '';
    stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString('utf8')));
  });
  afterEach(async () => {
    await scene.close();
  });

  it('`models pull` with no name fetches the default model, shows progress, then says it is installed', async () => {
    const first = await runModelsPull(undefined, options());
    expect(first.exitCode).toBe(0);
    expect(first.lines[0]).toMatch(/^pulled fast \(lcm\) from acme\/fast-onnx@[0-9a-f]{10}: \d+ files/);
    expect(stderrText).toContain('pulling fast: ');
    const again = await runModelsPull('fast', options());
    expect(again).toEqual({ exitCode: 0, lines: [`fast is already installed in ${path.join(scene.modelsDir, 'fast')} (delete the folder to download it again)`] });
  });

  it('`models pull` warns before fetching a GPU-only build and refuses unknown names with exit code 2', async () => {
    expect((await runModelsPull('gpu', options())).exitCode).toBe(0);
    expect(stderrText).toContain('gpu is a GPU-only build');
    const unknown = await runModelsPull('nope', options());
    expect(unknown.exitCode).toBe(2);
    expect(unknown.lines[0]).toContain('fast, gpu');
  });

  it('`models pull` against an unreachable hub exits 1 with the command to run elsewhere', async () => {
    const output = await runModelsPull('fast', options({ hubUrl: await unreachableUrl() }));
    expect(output.exitCode).toBe(1);
    expect(output.lines[0]).toContain('`darkroom models pull fast`');
  });
});
