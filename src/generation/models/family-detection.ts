import { numberField } from './json-file.ts';
import type { ModelFamily } from './model.types.ts';

/** `folder`: the files prove it; `catalog`: the catalog entry decided; `assumed`: sd1 by default. */
export type FamilySource = 'folder' | 'catalog' | 'assumed';

export interface FamilyFacts {
  /** `text_encoder_2/` exists. */
  sdxl: boolean;
  /** `time_cond_proj_dim` in the UNet config or an LCMScheduler config. */
  lcm: boolean;
  textEncoderConfig: Record<string, unknown> | undefined;
  unetConfig: Record<string, unknown> | undefined;
  catalogFamily: ModelFamily | undefined;
}

export interface DetectedFamily {
  family: ModelFamily;
  source: FamilySource;
  evidence: string;
  warnings: string[];
}

/** Text width of the two CLIP encoders: ViT-L (SD1.x) and OpenCLIP ViT-H (SD2.x / SD-Turbo). */
const SD1_WIDTH = 768;
const SD2_WIDTH = 1024;

/**
 * Decides the family from folder facts, then lets the catalog refine it where files cannot tell
 * (SD-Turbo looks like SD2, SDXL-Turbo like SDXL). A catalog family that contradicts the files loses,
 * with a warning: the files are what the pipeline will actually run.
 */
export function detectFamily(facts: FamilyFacts): DetectedFamily {
  const fromFolder = detectFromFolder(facts);
  const catalog = facts.catalogFamily;
  if (catalog === undefined || catalog === fromFolder.family) return { ...fromFolder, warnings: [] };
  if (compatible(fromFolder, catalog)) {
    return { family: catalog, source: 'catalog', evidence: `catalog entry (folder: ${fromFolder.evidence})`, warnings: [] };
  }
  return {
    ...fromFolder,
    warnings: [`the catalog says ${catalog} but the folder looks like ${fromFolder.family} (${fromFolder.evidence})`],
  };
}

function detectFromFolder(facts: FamilyFacts): Omit<DetectedFamily, 'warnings'> {
  if (facts.sdxl) return { family: 'sdxl', source: 'folder', evidence: 'text_encoder_2/ present' };
  if (facts.lcm) {
    const evidence =
      numberField(facts.unetConfig, 'time_cond_proj_dim') !== undefined
        ? 'unet/config.json time_cond_proj_dim'
        : 'scheduler LCMScheduler';
    return { family: 'lcm', source: 'folder', evidence };
  }
  const hidden = numberField(facts.textEncoderConfig, 'hidden_size');
  const fromHidden = familyForWidth(hidden);
  if (fromHidden) return { family: fromHidden, source: 'folder', evidence: `text_encoder/config.json hidden_size ${hidden}` };
  const crossAttention = numberField(facts.unetConfig, 'cross_attention_dim');
  const fromCross = familyForWidth(crossAttention);
  if (fromCross) {
    return { family: fromCross, source: 'folder', evidence: `unet/config.json cross_attention_dim ${crossAttention}` };
  }
  const seen = hidden === undefined ? 'no text encoder width in the configs' : `text width ${hidden}`;
  return { family: 'sd1', source: 'assumed', evidence: `assumed sd1 (${seen}); the UNet's inputs decide` };
}

function familyForWidth(width: number | undefined): ModelFamily | undefined {
  if (width === SD1_WIDTH) return 'sd1';
  if (width === SD2_WIDTH) return 'sd2';
  return undefined;
}

function compatible(fromFolder: Omit<DetectedFamily, 'warnings'>, catalog: ModelFamily): boolean {
  const sdxlLike = (family: ModelFamily): boolean => family === 'sdxl' || family === 'sdxl-turbo';
  if (sdxlLike(fromFolder.family) || sdxlLike(catalog)) return sdxlLike(fromFolder.family) && sdxlLike(catalog);
  if (fromFolder.source === 'assumed') return true;
  if (catalog === 'lcm') return true; // LCM distils an SD model: its text encoder is SD1's or SD2's.
  if (fromFolder.family === 'lcm') return false;
  return (fromFolder.family === 'sd2') === (catalog === 'sd2' || catalog === 'sd-turbo');
}
