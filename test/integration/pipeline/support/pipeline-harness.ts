/**
 * Helpers for the pipeline integration tests: load a pipeline with a session spy, build a
 * request, compare images.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RgbImage } from '../../../../src/images/rgb-image.ts';
import type { ModelSession, TensorInput } from '../../../../src/generation/onnx/index.ts';
import type { ModelPart } from '../../../../src/generation/pipeline/pipeline-loader.ts';
import { StableDiffusionPipeline, type PipelineRequest } from '../../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import type { CfgBatching } from '../../../../src/generation/pipeline/unet-runner.ts';
import { buildFixtureModel } from '../../../fixtures/onnx/fixture-model.builder.ts';
import type { FixtureVariant } from '../../../fixtures/onnx/fixture-variants.ts';

/** UNet runs seen by the spy: one entry per session run, with its batch size. */
export interface UnetSpy {
  batches: number[];
  reset(): void;
}

/** What `loadPipeline` calls with each session it opens; the session it returns is the one used. */
export type SessionHook = (part: ModelPart, session: ModelSession) => ModelSession;

/**
 * A session hook that shows `onRun` the feeds of every run of `part`'s sessions before they run
 * (our own ModelSession interface; other parts run untouched). Feeds may be reused buffers: copy
 * what is kept.
 */
export function spySession(part: ModelPart, onRun: (feeds: Record<string, TensorInput>) => void): SessionHook {
  return (opened, session) => {
    if (opened !== part) return session;
    return {
      get path() {
        return session.path;
      },
      get provider() {
        return session.provider;
      },
      get inputs() {
        return session.inputs;
      },
      get outputs() {
        return session.outputs;
      },
      hasInput: (name) => session.hasInput(name),
      run: (feeds, outputNames) => {
        onRun(feeds);
        return session.run(feeds, outputNames);
      },
      release: () => session.release(),
    };
  };
}

/** Wraps UNet sessions to record every run's batch size. */
export function unetSpy(): { spy: UnetSpy; hook: SessionHook } {
  const spy: UnetSpy = {
    batches: [],
    reset() {
      spy.batches.length = 0;
    },
  };
  return { spy, hook: spySession('unet', (feeds) => spy.batches.push(feeds['sample']?.dims[0] ?? 0)) };
}

export async function loadPipeline(
  dir: string,
  options: { cfgBatching?: CfgBatching; hook?: SessionHook } = {},
): Promise<StableDiffusionPipeline> {
  return StableDiffusionPipeline.load(dir, {
    provider: 'cpu',
    threads: 1,
    logger: undefined,
    cfgBatching: options.cfgBatching ?? 'batched',
    catalogFamily: undefined,
    sessionHook: options.hook,
  });
}

/** A small txt2img request; override what a test is about. */
export function request(overrides: Partial<PipelineRequest> = {}): PipelineRequest {
  return {
    prompt: 'a photo of a cat',
    negativePrompt: 'blurry',
    seeds: [42],
    steps: 3,
    guidance: 7.5,
    scheduler: 'euler',
    width: 64,
    height: 64,
    initImage: undefined,
    ...overrides,
  };
}

export const noOptions = { signal: undefined, onProgress: undefined, previews: false };

/** Mean absolute difference of two images' bytes (0–255). */
export function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('images differ in size');
  let sum = 0;
  for (let index = 0; index < a.pixels.length; index++) sum += Math.abs((a.pixels[index] ?? 0) - (b.pixels[index] ?? 0));
  return sum / a.pixels.length;
}

/** Largest per-byte difference of two images. */
export function maxAbsDiff(a: RgbImage, b: RgbImage): number {
  let max = 0;
  for (let index = 0; index < a.pixels.length; index++) max = Math.max(max, Math.abs((a.pixels[index] ?? 0) - (b.pixels[index] ?? 0)));
  return max;
}

/** A temporary folder holding generated fixture models; `cleanup` removes it. */
export async function fixtureWorkspace(): Promise<{ build: (variant: FixtureVariant, name?: string, options?: Parameters<typeof buildFixtureModel>[2]) => Promise<string>; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'darkroom-pipeline-'));
  return {
    build: (variant, name = variant, options = {}) => buildFixtureModel(path.join(root, name), variant, options),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
