/**
 * The engine's edit contract (issue 15): Zoom Out, Pan, Vary (Region) and Remix on an existing
 * image. Platform-free and library-free like `engine.types.ts`; an engine that can edit
 * implements {@link ImageEditor} next to `ImageEngine`, so existing engines and fakes are unchanged.
 */
import type { RgbImage } from '../images/rgb-image.ts';
import type { GenerateOptions, GenerationRequest, GenerationResult } from './engine.types.ts';

export type { RgbImage };

/** One byte per pixel, row-major: 255 (≥ 128) = repaint, 0 = keep (diffusers binarises at 0.5). */
export interface MaskImage {
  width: number;
  height: number;
  /** width * height bytes. */
  pixels: Uint8Array;
}

/** What kind of child generation an edit is (stored as the lineage kind by the service). */
export type EditKind = 'zoom' | 'pan' | 'region' | 'remix';

export type PanDirection = 'left' | 'right' | 'up' | 'down';

/** Largest Zoom Out factor (Midjourney's custom zoom goes to 2; a little headroom). */
export const MAX_ZOOM_FACTOR = 4;

/**
 * The edit itself. `zoom` and `pan` are outpainting (the new border is generated at strength 1);
 * `region` repaints where the mask is white; `remix` redraws the whole image at `strength`
 * (Vary Strong/Subtle are remixes with the same prompt).
 */
export type EditOperation =
  | { kind: 'zoom'; factor: number }
  | { kind: 'pan'; direction: PanDirection }
  | { kind: 'region'; mask: MaskImage; strength: number }
  | { kind: 'remix'; strength: number };

/** An edit: the usual generation settings (model, prompt, seed, steps…) plus the source image. */
export interface EditRequest extends Omit<GenerationRequest, 'initImage' | 'width' | 'height'> {
  /** The image being edited (a previous result). */
  image: RgbImage;
  operation: EditOperation;
}

/**
 * How the model ran: `inpaint` = a 9-channel inpainting UNet (diffusers
 * `StableDiffusionInpaintPipeline`); `legacy-blend` = an ordinary model, the known region blended
 * back into the latents after every step (the same pipeline with a 4-channel UNet).
 */
export type EditPath = 'inpaint' | 'legacy-blend';

export interface EditResult extends GenerationResult {
  path: EditPath;
  /** Size of every result image. */
  width: number;
  height: number;
  /** What was repainted, at the result's size (the lineage stores it as a small PNG). */
  mask: MaskImage;
}

/** An engine that edits images (the DiffusionEngine does). */
export interface ImageEditor {
  edit(request: EditRequest, options: GenerateOptions): Promise<EditResult>;
}
