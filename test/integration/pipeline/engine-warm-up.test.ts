/**
 * The default model is loaded in the background at start-up (issue 16): after the warm-up, the
 * first job finds its sessions open instead of creating them; a warm-up that fails only logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { memoryLogger } from '../onnx/onnx-test-support.ts';
import { fixtureWorkspace } from './support/pipeline-harness.ts';

describe('engine warm-up', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  let dir = '';
  beforeAll(async () => {
    workspace = await fixtureWorkspace();
    dir = await workspace.build('sd15-optimum');
  });
  afterAll(async () => workspace?.cleanup());

  function engineWithLog(): { engine: DiffusionEngine; lines: Array<Record<string, unknown>> } {
    const { logger, lines } = memoryLogger();
    const engine = new DiffusionEngine({ locations: undefined, provider: 'cpu', threads: 1, cfgBatching: 'auto', cachedPipelines: 1, upscaler: undefined, logger });
    return { engine, lines };
  }

  it('opens the model before the first job, which then loads nothing', async () => {
    const { engine, lines } = engineWithLog();
    try {
      await engine.warmUp(dir);
      expect(lines.filter((line) => line['msg'] === 'pipeline.loaded')).toHaveLength(1);
      expect(lines.some((line) => line['msg'] === 'engine.warmed_up')).toBe(true);
      const loadedBeforeJob = lines.length;
      const result = await engine.generate(
        { model: dir, prompt: 'a cat', negativePrompt: '', seed: 1, steps: 2, guidance: 7.5, scheduler: 'euler', width: 64, height: 64, count: 1, initImage: undefined },
        { signal: undefined, onProgress: undefined, previews: false },
      );
      expect(result.images).toHaveLength(1);
      expect(lines.slice(loadedBeforeJob).filter((line) => line['msg'] === 'pipeline.loaded')).toHaveLength(0);
    } finally {
      await engine.close();
    }
  });

  it('logs a warning and resolves when the default model cannot be opened', async () => {
    const { engine, lines } = engineWithLog();
    await expect(engine.warmUp(`${dir}-missing`)).resolves.toBeUndefined();
    expect(lines.find((line) => line['msg'] === 'engine.warm_up_failed')).toMatchObject({ level: 40 });
    await engine.close();
  });
});
