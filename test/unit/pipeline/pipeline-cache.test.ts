import { describe, expect, it } from 'vitest';
import { sizeMultipleFor } from '../../../src/generation/pipeline/pipeline-loader.ts';
import { PipelineCache } from '../../../src/generation/pipeline/pipeline-cache.ts';

class FakePipeline {
  released = false;
  constructor(readonly name: string) {}
  async release(): Promise<void> {
    this.released = true;
  }
}

describe('pipeline cache', () => {
  it('loads a model once for concurrent requests', async () => {
    const cache = new PipelineCache<FakePipeline>(1, undefined);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new FakePipeline('a');
    };
    const names = await Promise.all([1, 2, 3].map(() => cache.use('a', load, async (pipeline) => pipeline.name)));
    expect(names).toEqual(['a', 'a', 'a']);
    expect(loads).toBe(1);
  });

  it('keeps the most recently used models and releases an evicted one once its run ends', async () => {
    const cache = new PipelineCache<FakePipeline>(2, undefined);
    const made: Record<string, FakePipeline> = {};
    const load = (name: string) => async () => (made[name] = new FakePipeline(name));
    await cache.use('a', load('a'), async () => {});
    await cache.use('b', load('b'), async () => {});
    await cache.use('a', load('a'), async () => {}); // a is now the most recent
    let finishRun: () => void = () => {};
    const running = cache.use('b', load('b'), () => new Promise<void>((resolve) => (finishRun = resolve)));
    await cache.use('c', load('c'), async () => {}); // evicts a (least recent), keeps b and c
    expect(made['a']!.released).toBe(true);
    expect(made['b']!.released).toBe(false);
    await cache.use('a', load('a'), async () => {}); // evicts b while it is still running…
    expect(made['b']!.released).toBe(false);
    finishRun();
    await running; // …and releases it when the run ends.
    expect(made['b']!.released).toBe(true);
  });

  it('forgets a failed load so the next request retries', async () => {
    const cache = new PipelineCache<FakePipeline>(1, undefined);
    await expect(cache.use('a', async () => Promise.reject(new Error('disk')), async () => 1)).rejects.toThrow('disk');
    await expect(cache.use('a', async () => new FakePipeline('a'), async (pipeline) => pipeline.name)).resolves.toBe('a');
  });
});

describe('size multiple of exported UNets', () => {
  it('is 8 · 2^(levels − 1): 64 for SD 1.x/2.x, 32 for SDXL, from the config when there is one', () => {
    expect(sizeMultipleFor(undefined, false)).toBe(64);
    expect(sizeMultipleFor(undefined, true)).toBe(32);
    expect(sizeMultipleFor(2, false)).toBe(16);
    expect(sizeMultipleFor(4, true)).toBe(64);
  });
});
