/**
 * The A1111 fields an upscaled PNG carries, formatted and read back with the A1111 parser: a
 * hires fix as A1111's txt2img hires fix writes it, an ONNX upscale as its postprocessing upscale.
 */
import { describe, expect, it } from 'vitest';
import { upscaleInfotextFields } from '../../../src/generation/pipeline/engine-upscale.ts';
import { formatA1111Parameters, parseA1111Parameters } from '../../../src/images/index.ts';

function roundTrip(fields: ReturnType<typeof upscaleInfotextFields>): ReturnType<typeof parseA1111Parameters> {
  const text = formatA1111Parameters({
    prompt: 'a lighthouse, dawn',
    negativePrompt: '',
    steps: 20,
    sampler: 'Euler a',
    cfgScale: 7,
    seed: 42,
    width: 512,
    height: 768,
    model: 'photon',
    modelHash: '0123456789',
    denoisingStrength: fields.denoisingStrength,
    extra: fields.extra,
  });
  return parseA1111Parameters(text);
}

describe('upscale infotext', () => {
  it('hires fix: first-pass Size, Hires upscale, Hires steps, Hires upscaler and Denoising strength', () => {
    const parsed = roundTrip(upscaleInfotextFields({ method: 'hires-fix', scale: 2 }, { steps: 20 }, 0.3));
    expect([parsed.width, parsed.height, parsed.modelHash, parsed.denoisingStrength]).toEqual([512, 768, '0123456789', 0.3]);
    expect(parsed.extra).toEqual({ 'Hires upscale': '2', 'Hires steps': '20', 'Hires upscaler': 'Lanczos' });
  });

  it('ONNX upscaler: a postprocessing upscale, no denoising strength', () => {
    const parsed = roundTrip(upscaleInfotextFields({ method: 'onnx', scale: 4 }, { steps: 20 }, undefined));
    expect(parsed.denoisingStrength).toBeUndefined();
    expect(parsed.extra).toEqual({ 'Postprocess upscale by': '4', 'Postprocess upscaler': 'ONNX upscaler' });
  });

  it('an image already at the size limit (not enlarged) claims no upscale', () => {
    const parsed = roundTrip(upscaleInfotextFields({ method: 'hires-fix', scale: 1 }, { steps: 20 }, undefined));
    expect(parsed.extra).toEqual({});
    expect(parsed.denoisingStrength).toBeUndefined();
  });
});
