import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectModelFolder, type ModelFolderInfo } from '../../../src/generation/models/model-folder.ts';
import type { ModelProblem } from '../../../src/generation/models/model.types.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { tinyModelFiles, writeFiles, type TinyModelOptions } from './support/tiny-model-files.ts';

function expectInfo(result: ModelFolderInfo | ModelProblem): ModelFolderInfo {
  if (!result.ok) throw new Error(`expected a model folder, got ${result.code}: ${result.message}`);
  return result;
}

const fixtures = sharedPath('fixtures', 'models');

describe.skipIf(!fixtures)('inspectModelFolder on the shared tiny exports' + sharedSkipReason, () => {
  const fixture = (name: string): string => path.join(fixtures ?? '', name);

  it('reads the legacy diffusers folder: no configs, so family defaults, and weights.pb', async () => {
    const info = expectInfo(await inspectModelFolder(fixture('tiny-sd15')));
    // README: no per-part config.json, scaling must come from the SD1.x default 0.18215.
    expect(info.family).toBe('sd1');
    expect(info.familySource).toBe('assumed');
    expect(info.scalingFactor).toBe(0.18215);
    expect(info.scalingFactorSource).toBe('family default');
    expect(info.sampleSize).toBe(512);
    expect(info.externalDataFiles).toEqual(['unet/weights.pb']);
    expect(info.defaultScheduler).toBe('pndm');
    expect(info.predictionType).toBe('epsilon');
    expect(info.parts.vaeEncoder).toBe(path.join(fixture('tiny-sd15'), 'vae_encoder', 'model.onnx'));
    expect(info.parts.safetyChecker).toBeUndefined();
    expect(info.parts.textEncoder2).toBeUndefined();
    expect(info.schedulerConfig['steps_offset']).toBe(1);
  });

  it('reads the Optimum folder: scaling from vae_decoder/config.json, size from unet sample_size 8 → 64 px', async () => {
    const info = expectInfo(await inspectModelFolder(fixture('tiny-sd15-optimum')));
    expect(info.family).toBe('sd1');
    expect(info.scalingFactorSource).toBe('vae_decoder/config.json');
    expect(info.scalingFactor).toBe(0.18215);
    expect(info.sampleSize).toBe(64);
    expect(info.externalDataFiles).toEqual(['unet/model.onnx_data']);
  });

  it('reads the SDXL folder: two encoders and tokenizers, 0.13025, zeros for an empty negative prompt', async () => {
    const info = expectInfo(await inspectModelFolder(fixture('tiny-sdxl')));
    expect(info.family).toBe('sdxl');
    expect(info.familySource).toBe('folder');
    expect(info.scalingFactor).toBe(0.13025);
    expect(info.parts.textEncoder2).toBe(path.join(fixture('tiny-sdxl'), 'text_encoder_2', 'model.onnx'));
    expect(info.parts.tokenizer2).toBe(path.join(fixture('tiny-sdxl'), 'tokenizer_2'));
    expect(info.externalDataFiles.sort()).toEqual(['text_encoder_2/model.onnx_data', 'unet/model.onnx_data']);
    expect(info.defaultScheduler).toBe('euler');
    expect(info.forceZerosForEmptyPrompt).toBe(true);
    expect(info.sampleSize).toBe(64);
  });

  it('turns SDXL into SDXL-Turbo only when the catalog says so', async () => {
    const info = expectInfo(await inspectModelFolder(fixture('tiny-sdxl'), { catalogFamily: 'sdxl-turbo' }));
    expect(info.family).toBe('sdxl-turbo');
    expect(info.familySource).toBe('catalog');
  });
});

describe('inspectModelFolder on folders built in a temp dir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'darkroom-folder-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const build = async (name: string, options: Partial<TinyModelOptions>): Promise<string> => {
    const dir = path.join(root, name);
    await writeFiles(dir, tinyModelFiles(options));
    return dir;
  };

  it('detects SD2 from a 1024-wide text encoder, with v-prediction and 768 px', async () => {
    const dir = await build('sd21', { family: 'sd2', predictionType: 'v_prediction', schedulerClass: 'DDIMScheduler' });
    const info = expectInfo(await inspectModelFolder(dir));
    expect(info).toMatchObject({ family: 'sd2', familySource: 'folder', predictionType: 'v_prediction', defaultScheduler: 'ddim' });
    expect(info.sampleSize).toBe(768);
    expect(info.familyEvidence).toContain('hidden_size 1024');
  });

  it('uses family defaults for an SD2 folder without per-part configs: 768 px for v-prediction, 512 for epsilon', async () => {
    const v = await build('sd21-legacy', { layout: 'legacy', family: 'sd2', predictionType: 'v_prediction' });
    await writeFile(path.join(v, 'unet', 'config.json'), JSON.stringify({ cross_attention_dim: 1024 }));
    expect(expectInfo(await inspectModelFolder(v))).toMatchObject({ family: 'sd2', sampleSize: 768, scalingFactor: 0.18215 });
    const base = await build('sd2-base-legacy', { layout: 'legacy', family: 'sd2', predictionType: 'epsilon' });
    await writeFile(path.join(base, 'unet', 'config.json'), JSON.stringify({ cross_attention_dim: 1024 }));
    expect(expectInfo(await inspectModelFolder(base))).toMatchObject({ family: 'sd2', sampleSize: 512 });
  });

  it('detects LCM from unet time_cond_proj_dim, and from an LCMScheduler config alone', async () => {
    const optimum = await build('lcm', { family: 'lcm', schedulerClass: 'LCMScheduler' });
    expect(expectInfo(await inspectModelFolder(optimum))).toMatchObject({ family: 'lcm', lcm: true, defaultScheduler: 'lcm' });
    const legacy = await build('lcm-legacy', { layout: 'legacy', family: 'lcm', schedulerClass: 'LCMScheduler' });
    expect(expectInfo(await inspectModelFolder(legacy))).toMatchObject({ family: 'lcm', familyEvidence: 'scheduler LCMScheduler' });
  });

  it('lets the catalog name SD-Turbo, but keeps the folder family when the catalog contradicts it', async () => {
    const sd2 = await build('turbo', { family: 'sd2', schedulerClass: 'EulerDiscreteScheduler' });
    expect(expectInfo(await inspectModelFolder(sd2, { catalogFamily: 'sd-turbo' }))).toMatchObject({ family: 'sd-turbo', warnings: [] });
    const sdxl = await build('xl', { family: 'sdxl', schedulerClass: 'EulerDiscreteScheduler' });
    const contradicted = expectInfo(await inspectModelFolder(sdxl, { catalogFamily: 'sd1' }));
    expect(contradicted.family).toBe('sdxl');
    expect(contradicted.warnings.join(' ')).toContain('the catalog says sd1');
  });

  it('maps every diffusers scheduler class it knows, and warns about the others', async () => {
    const expected: Record<string, string> = {
      PNDMScheduler: 'pndm',
      EulerDiscreteScheduler: 'euler',
      EulerAncestralDiscreteScheduler: 'euler-ancestral',
      DDIMScheduler: 'ddim',
      DPMSolverMultistepScheduler: 'dpmpp-2m',
      LMSDiscreteScheduler: 'lms',
      LCMScheduler: 'lcm',
    };
    for (const [schedulerClass, name] of Object.entries(expected)) {
      const dir = await build(schedulerClass, { schedulerClass });
      expect(expectInfo(await inspectModelFolder(dir)).defaultScheduler).toBe(name);
    }
    const unipc = expectInfo(await inspectModelFolder(await build('unipc', { schedulerClass: 'UniPCMultistepScheduler' })));
    expect(unipc.defaultScheduler).toBeUndefined();
    expect(unipc.warnings.join(' ')).toContain('UniPCMultistepScheduler');
  });

  it('names the missing file and asks whether this is a diffusers ONNX folder', async () => {
    const dir = await build('foo', {});
    await unlink(path.join(dir, 'unet', 'model.onnx'));
    const problem = await inspectModelFolder(dir);
    expect(problem).toMatchObject({ ok: false, code: 'file_missing' });
    if (!problem.ok) expect(problem.message).toBe(`unet/model.onnx missing in ${dir} — is this a diffusers ONNX folder?`);
  });

  it('recognises a PyTorch folder and says it needs an ONNX export', async () => {
    const dir = await build('torch', { torchExtras: true });
    await unlink(path.join(dir, 'unet', 'model.onnx'));
    const problem = await inspectModelFolder(dir);
    if (problem.ok) throw new Error('expected a problem');
    expect(problem.message).toContain('PyTorch');
  });

  it('requires the second tokenizer of an SDXL folder, and accepts tokenizer.json instead of vocab + merges', async () => {
    const dir = await build('xl', { family: 'sdxl', schedulerClass: 'EulerDiscreteScheduler' });
    await unlink(path.join(dir, 'tokenizer_2', 'vocab.json'));
    const problem = await inspectModelFolder(dir);
    expect(problem).toMatchObject({ ok: false, code: 'file_missing' });
    if (!problem.ok) expect(problem.message).toContain('tokenizer_2/vocab.json');
    await writeFile(path.join(dir, 'tokenizer_2', 'tokenizer.json'), '{}');
    expect((await inspectModelFolder(dir)).ok).toBe(true);
  });

  it('reports a broken config by file name', async () => {
    const dir = await build('broken', {});
    await writeFile(path.join(dir, 'scheduler', 'scheduler_config.json'), '{ "_class_name": ');
    const problem = await inspectModelFolder(dir);
    expect(problem).toMatchObject({ ok: false, code: 'invalid_json' });
    if (!problem.ok) expect(problem.message).toContain('scheduler/scheduler_config.json');
  });

  it('honours force_zeros_for_empty_prompt: false in an SDXL model_index.json, and never sets it for SD1', async () => {
    const dir = await build('xl', { family: 'sdxl', schedulerClass: 'EulerDiscreteScheduler' });
    await writeFile(path.join(dir, 'model_index.json'), JSON.stringify({ force_zeros_for_empty_prompt: false }));
    expect(expectInfo(await inspectModelFolder(dir)).forceZerosForEmptyPrompt).toBe(false);
    expect(expectInfo(await inspectModelFolder(await build('sd1', {}))).forceZerosForEmptyPrompt).toBe(false);
  });

  it('lists the safety checker when present and reports a missing folder', async () => {
    const dir = await build('checked', { layout: 'legacy', safetyChecker: true });
    expect(expectInfo(await inspectModelFolder(dir)).parts.safetyChecker).toBe(path.join(dir, 'safety_checker', 'model.onnx'));
    expect(await inspectModelFolder(path.join(root, 'nothing-here'))).toMatchObject({ ok: false, code: 'folder_missing' });
  });
});
