import { describe, expect, it } from 'vitest';
import { inferBatchSize, prepareFeed } from '../../../src/generation/onnx/input-feed.ts';
import type { IoInfo } from '../../../src/generation/onnx/onnx.types.ts';
import { allocateArray } from '../../../src/generation/onnx/tensor-cast.ts';

const fresh = allocateArray;
const info = (name: string, type: string, shape: Array<number | string>): IoInfo => ({ name, type, shape });

describe('prepareFeed', () => {
  it('passes a matching float32 feed through without copying', () => {
    const data = new Float32Array(2 * 4 * 8 * 8);
    const feed = prepareFeed(info('sample', 'float32', ['batch', 4, 'h', 'w']), { data, dims: [2, 4, 8, 8] }, 2, 'm', fresh);
    expect(feed.data).toBe(data);
    expect(feed.dims).toEqual([2, 4, 8, 8]);
  });

  it('feeds a scalar-declared timestep from [batch] copies of one value', () => {
    const feed = prepareFeed(info('timestep', 'float32', []), { data: new Float32Array([981, 981]), dims: [2] }, 2, 'm', fresh);
    expect(feed.dims).toEqual([]);
    expect([...feed.data]).toEqual([981]);
  });

  it('refuses different values for a scalar input', () => {
    expect(() =>
      prepareFeed(info('timestep', 'float32', []), { data: new Float32Array([1, 2]), dims: [2] }, 2, 'unet.onnx', fresh),
    ).toThrow(/timestep.*unet\.onnx/);
  });

  it('repeats one timestep over the batch for an int64 [batch] input, truncating it as numpy does', () => {
    const feed = prepareFeed(info('timestep', 'int64', ['steps']), { data: new Float32Array([480.7]), dims: [1] }, 2, 'm', fresh);
    expect(feed.type).toBe('int64');
    expect(feed.dims).toEqual([2]);
    expect([...feed.data]).toEqual([480n, 480n]);
  });

  it('casts float32 latents to float16 bits for fp16 models', () => {
    const feed = prepareFeed(info('sample', 'float16', ['b', 4, 1, 1]), { data: new Float32Array([1, -2, 0.5, 0]), dims: [1, 4, 1, 1] }, 1, 'm', fresh);
    expect(feed.type).toBe('float16');
    expect([...feed.data]).toEqual([0x3c00, 0xc000, 0x3800, 0]);
  });

  it('names the input when a static dim does not match', () => {
    expect(() =>
      prepareFeed(info('encoder_hidden_states', 'float32', ['b', 's', 768]), { data: new Float32Array(77 * 32), dims: [1, 77, 32] }, 1, 'm', fresh),
    ).toThrow(/encoder_hidden_states.*dim 2 must be 768/);
  });
});

describe('inferBatchSize', () => {
  it('takes the leading dim of rank ≥ 2 feeds, ignoring timesteps', () => {
    const inputs = [info('sample', 'float32', ['b', 4, 'h', 'w']), info('timestep', 'float32', ['b'])];
    const feeds = {
      sample: { data: new Float32Array(3 * 4), dims: [3, 4, 1, 1] },
      timestep: { data: new Float32Array([1]), dims: [1] },
    };
    expect(inferBatchSize(feeds, inputs)).toBe(3);
  });
});
