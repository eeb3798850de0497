import { describe, expect, it } from 'vitest';
import { isProviderLoadFailure, providerCandidates } from '../../../src/generation/onnx/execution-provider.ts';

describe('providerCandidates', () => {
  it('tries the platform accelerators first under auto, then the CPU', () => {
    expect(providerCandidates('auto', 'linux')).toEqual(['cuda', 'cpu']);
    expect(providerCandidates('auto', 'win32')).toEqual(['cuda', 'dml', 'cpu']);
    expect(providerCandidates('auto', 'darwin')).toEqual(['coreml', 'cpu']);
  });

  it('keeps an explicit choice, with the CPU as the fallback', () => {
    expect(providerCandidates('cuda', 'darwin')).toEqual(['cuda', 'cpu']);
    expect(providerCandidates('cpu', 'win32')).toEqual(['cpu']);
  });
});

describe('isProviderLoadFailure', () => {
  it('recognises the messages onnxruntime-node 1.30 gives for unusable providers', () => {
    expect(isProviderLoadFailure('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')).toBe(true);
    expect(isProviderLoadFailure('no available backend found. ERR: [dml] backend not found.')).toBe(true);
    expect(isProviderLoadFailure('Could not find an implementation for GroupNorm(1) node')).toBe(false);
  });
});
