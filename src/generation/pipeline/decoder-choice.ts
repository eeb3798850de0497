/**
 * Which decoder makes a model's final images and its live previews (issue 12): the model's own
 * VAE or TAESD (diffusers `AutoencoderTiny`, ~18× faster on a CPU, slightly softer detail), and
 * TAESD or the latent-RGB approximation for previews. TAESD is never required: when it is chosen
 * but not installed the model's VAE and the latent-RGB previews are used, and the reason is said.
 */
import type { ModelFamily } from '../models/model.types.ts';
import type { LatentSpace, TaesdFolder, TaesdProblem } from '../models/taesd-folder.ts';

/** The model's own VAE, or TAESD. */
export const FINAL_DECODERS = ['full', 'taesd'] as const;
export type FinalDecoder = (typeof FINAL_DECODERS)[number];

/** `auto` = TAESD when installed (silently the latent-RGB approximation when not). */
export const PREVIEW_DECODER_SETTINGS = ['auto', 'latent', 'taesd'] as const;
export type PreviewDecoderSetting = (typeof PREVIEW_DECODER_SETTINGS)[number];
export type PreviewDecoder = 'latent' | 'taesd';

/** What a pipeline is loaded with. */
export interface DecoderSetup {
  final: FinalDecoder;
  preview: PreviewDecoder;
  /** The TAESD of the model's latent space; undefined when neither uses it. */
  taesd: TaesdFolder | undefined;
}

/** Families whose few-step images keep the model's VAE unless their catalog entry says otherwise. */
const FULL_VAE_FAMILIES: ReadonlySet<ModelFamily> = new Set(['lcm', 'sd-turbo', 'sdxl-turbo']);

export interface DecoderChoiceInput {
  /** `engine.decoder`. */
  configured: FinalDecoder;
  /** `engine.previewDecoder`. */
  preview: PreviewDecoderSetting;
  /** The model's catalog entry's `decoder`, if it sets one (wins over `engine.decoder`). */
  catalogDecoder: FinalDecoder | undefined;
  family: ModelFamily;
  space: LatentSpace;
  /** The TAESD folder for `space` as found (a problem when missing or unusable); undefined when none is known. */
  taesd: TaesdFolder | TaesdProblem | undefined;
  /** How to install it (`darkroom models pull taesd`), for the notes. */
  installHint: string | undefined;
}

export interface DecoderChoice extends DecoderSetup {
  /** Why the result differs from what was configured: one sentence each, for the log. */
  notes: string[];
}

/**
 * The decoders for one model. Final: the catalog entry's `decoder`, else `engine.decoder` —
 * except LCM/Turbo models, which keep their VAE unless their catalog entry asks for TAESD.
 */
export function chooseDecoders(input: DecoderChoiceInput): DecoderChoice {
  const notes: string[] = [];
  const wantedFinal: FinalDecoder =
    input.catalogDecoder ?? (FULL_VAE_FAMILIES.has(input.family) ? 'full' : input.configured);
  if (input.catalogDecoder === undefined && input.configured === 'taesd' && wantedFinal === 'full') {
    notes.push(`engine.decoder is taesd, but ${input.family} models keep their own VAE unless their catalog entry sets decoder: taesd`);
  }
  const wantedPreview = input.preview !== 'latent';
  const folder = input.taesd?.ok ? input.taesd : undefined;
  const needed = wantedFinal === 'taesd' || wantedPreview;
  if (needed && !folder) {
    const explicit = wantedFinal === 'taesd' || input.preview === 'taesd';
    if (explicit) {
      const which = input.space === 'sdxl' ? 'TAESDXL (SDXL latents)' : 'TAESD (SD 1.x/2.x latents)';
      const why = input.taesd && !input.taesd.ok ? input.taesd.message : 'no TAESD folder is configured for these latents';
      const uses = [wantedFinal === 'taesd' ? "the model's own VAE decodes" : '', input.preview === 'taesd' ? 'previews use the latent-RGB approximation' : '']
        .filter(Boolean)
        .join(' and ');
      notes.push(`${which} is chosen but not installed (${why}); ${uses}${input.installHint ? `. Install it with \`${input.installHint}\`` : ''}`);
    }
  }
  return {
    final: wantedFinal === 'taesd' && folder ? 'taesd' : 'full',
    preview: wantedPreview && folder ? 'taesd' : 'latent',
    taesd: needed ? folder : undefined,
    notes,
  };
}
