import { describe, expect, it } from 'vitest';
import type { TaesdFolder, TaesdProblem } from '../../../src/generation/models/taesd-folder.ts';
import { chooseDecoders, type DecoderChoiceInput } from '../../../src/generation/pipeline/decoder-choice.ts';
import { progressWithLazyPreview } from '../../../src/generation/pipeline/latent-preview.ts';

const installed: TaesdFolder = { ok: true, dir: '/models/taesd', name: 'taesd', decoder: '/models/taesd/vae_decoder/model.onnx', encoder: undefined, scalingFactor: 1 };
const absent: TaesdProblem = { ok: false, dir: '/models/taesd', message: '/models/taesd has no vae_decoder/model.onnx' };

function input(overrides: Partial<DecoderChoiceInput>): DecoderChoiceInput {
  return { configured: 'full', preview: 'auto', catalogDecoder: undefined, family: 'sd1', space: 'sd', taesd: installed, installHint: 'darkroom models pull taesd', ...overrides };
}

describe('decoder choice', () => {
  it('engine.decoder taesd decodes SD models with TAESD; previews use TAESD whenever it is installed (auto)', () => {
    expect(chooseDecoders(input({ configured: 'taesd' }))).toEqual({ final: 'taesd', preview: 'taesd', taesd: installed, notes: [] });
    expect(chooseDecoders(input({}))).toEqual({ final: 'full', preview: 'taesd', taesd: installed, notes: [] });
    expect(chooseDecoders(input({ preview: 'latent' }))).toEqual({ final: 'full', preview: 'latent', taesd: undefined, notes: [] });
  });

  it('LCM and Turbo models keep their VAE unless their catalog entry says taesd', () => {
    for (const family of ['lcm', 'sd-turbo', 'sdxl-turbo'] as const) {
      const choice = chooseDecoders(input({ configured: 'taesd', family }));
      expect(choice.final).toBe('full');
      expect(choice.notes).toEqual([`engine.decoder is taesd, but ${family} models keep their own VAE unless their catalog entry sets decoder: taesd`]);
      expect(chooseDecoders(input({ family, catalogDecoder: 'taesd' })).final).toBe('taesd');
    }
    // The catalog wins the other way too.
    expect(chooseDecoders(input({ configured: 'taesd', catalogDecoder: 'full' }))).toMatchObject({ final: 'full', notes: [] });
  });

  it('a TAESD chosen but not installed falls back and says why and how to install it; auto previews fall back silently', () => {
    const final = chooseDecoders(input({ configured: 'taesd', preview: 'latent', taesd: absent }));
    expect(final).toMatchObject({ final: 'full', preview: 'latent', taesd: undefined });
    expect(final.notes).toEqual([
      "TAESD (SD 1.x/2.x latents) is chosen but not installed (/models/taesd has no vae_decoder/model.onnx); the model's own VAE decodes. Install it with `darkroom models pull taesd`",
    ]);
    const preview = chooseDecoders(input({ preview: 'taesd', taesd: undefined, space: 'sdxl', installHint: undefined }));
    expect(preview).toMatchObject({ final: 'full', preview: 'latent' });
    expect(preview.notes).toEqual(['TAESDXL (SDXL latents) is chosen but not installed (no TAESD folder is configured for these latents); previews use the latent-RGB approximation']);
    expect(chooseDecoders(input({ taesd: absent }))).toEqual({ final: 'full', preview: 'latent', taesd: undefined, notes: [] });
  });
});

describe('lazy TAESD preview', () => {
  const latents = new Float32Array([1, 0, 0, 0]);

  it('decodes once, on the first call, from a copy of the step latents', async () => {
    const fed: Float32Array[] = [];
    const image = { width: 8, height: 8, pixels: new Uint8Array(192) };
    const progress = progressWithLazyPreview(1, 4, latents, 1, 1, 'sd', async (snapshot) => {
      fed.push(snapshot);
      return image;
    });
    expect(fed).toHaveLength(0);
    expect(await progress.previewImage()).toBe(image);
    expect(await progress.previewImage()).toBe(image);
    expect(fed).toHaveLength(1);
    expect(Array.from(fed[0]!)).toEqual([1, 0, 0, 0]);
    expect(fed[0]).not.toBe(latents);
  });

  it('answers the latent-RGB preview when decoding fails or there is no decoder, nothing without latents', async () => {
    const failing = progressWithLazyPreview(1, 4, latents, 1, 1, 'sd', () => Promise.reject(new Error('session released')));
    expect(await failing.previewImage()).toEqual(failing.preview);
    const plain = progressWithLazyPreview(1, 4, latents, 1, 1, 'sd');
    expect(await plain.previewImage()).toBe(plain.preview);
    expect(await progressWithLazyPreview(1, 4, undefined, 1, 1, 'sd', () => Promise.reject(new Error('never'))).previewImage()).toBeUndefined();
  });
});
