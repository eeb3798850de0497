/**
 * Edits as child generations (issue 15): Zoom Out, Pan, Vary (Region) and Remix of one image of a
 * finished job. The service builds the child row from the stored parent (like reroll / vary /
 * upscale), so a button pressed after a restart does exactly what it says; the runner turns the
 * row back into an {@link EditRequest} for an engine that is an {@link ImageEditor}.
 *
 * Which model runs: the parent's own model, unless an inpainting model of the same name family is
 * installed (`<model>-inpaint` or `<model>-inpainting`, e.g. `sd15` → `sd15-inpaint`), which is
 * then used instead. An inpainting model runs its 9-channel UNet; any other the known-region blend.
 */
import type { EditSpec, GenerationWithImages } from '../../db/domain.types.ts';
import type { EditOperation, EditResult, ImageEditor, MaskImage, RgbImage } from '../edit.types.ts';
import { panCanvasSize, zoomCanvasSize } from '../edit-canvas.ts';
import { MAX_ZOOM_FACTOR } from '../edit.types.ts';
import type { GenerateOptions, GenerationRequest, ImageEngine } from '../engine.types.ts';
import type { JobParameters } from '../requests/derived-jobs.ts';

/** Zoom factors the buttons offer (Custom Zoom accepts any in (1, {@link MAX_ZOOM_FACTOR}]). */
export const ZOOM_FACTORS = [2, 1.5] as const;
/** Strength of Vary (Region): the marked cells are repainted from noise, as diffusers' inpainting default. */
export const REGION_STRENGTH = 1;
/** Cells of the Vary (Region) grid: 3×3, numbered 1–9 left to right, top to bottom. */
export const REGION_GRID = 3;


/** The finished size of an edit of a `source`-sized image (the engine's plan makes the same). */
export function editOutputSize(source: { width: number; height: number }, edit: EditSpec): { width: number; height: number } {
  switch (edit.kind) {
    case 'zoom':
      return zoomCanvasSize(source, edit.factor);
    case 'pan': {
      const { width, height } = panCanvasSize(source, edit.direction);
      return { width, height };
    }
    case 'region':
    case 'remix':
      return { ...source };
  }
}

/** Why an edit's parameters are not usable, in words; undefined when they are. */
export function editProblem(edit: EditSpec): string | undefined {
  if (edit.kind === 'zoom' && !(Number.isFinite(edit.factor) && edit.factor > 1 && edit.factor <= MAX_ZOOM_FACTOR)) {
    return `the zoom factor must be more than 1 and at most ${MAX_ZOOM_FACTOR}, got ${edit.factor}`;
  }
  if (edit.kind === 'region') {
    const max = REGION_GRID * REGION_GRID;
    if (edit.cells.length === 0) return 'pick at least one part of the image to vary';
    if (edit.cells.some((cell) => !Number.isInteger(cell) || cell < 1 || cell > max)) return `grid cells are numbered 1–${max}`;
  }
  return undefined;
}

/** `<model>-inpaint` / `<model>-inpainting` when installed and allowed, else the model itself. */
export function editModelFor(model: string, usable: readonly string[]): string {
  if (/-inpaint(ing)?$/i.test(model)) return model;
  const lower = usable.map((name) => name.toLowerCase());
  for (const suffix of ['-inpaint', '-inpainting']) {
    const index = lower.indexOf(`${model.toLowerCase()}${suffix}`);
    if (index >= 0) return usable[index] as string;
  }
  return model;
}

/** The child row of an edit of image `index` of `parent`: one image, at the edit's finished size. */
export function editOf(
  parent: GenerationWithImages,
  index: number,
  edit: EditSpec,
  options: { seed: number; source: { width: number; height: number }; prompt: string | undefined; model: string; strength: number | undefined },
): JobParameters {
  const size = editOutputSize(options.source, edit);
  return {
    kind: 'edit',
    parentId: parent.id,
    parentImageIndex: index,
    edit,
    prompt: options.prompt ?? parent.prompt,
    negativePrompt: parent.negativePrompt,
    seed: options.seed,
    steps: parent.steps,
    guidance: parent.guidance,
    scheduler: parent.scheduler,
    width: size.width,
    height: size.height,
    model: options.model,
    count: 1,
    strength: edit.kind === 'region' ? REGION_STRENGTH : edit.kind === 'remix' ? (options.strength ?? 0.5) : undefined,
  };
}

/** The repaint mask of grid `cells` over a `width`×`height` image: 255 inside the picked cells. */
export function regionMask(width: number, height: number, cells: readonly number[]): MaskImage {
  const pixels = new Uint8Array(width * height);
  for (const cell of cells) {
    const column = (cell - 1) % REGION_GRID;
    const row = Math.floor((cell - 1) / REGION_GRID);
    const left = Math.round((column * width) / REGION_GRID);
    const right = Math.round(((column + 1) * width) / REGION_GRID);
    const top = Math.round((row * height) / REGION_GRID);
    const bottom = Math.round(((row + 1) * height) / REGION_GRID);
    for (let y = top; y < bottom; y++) pixels.fill(255, y * width + left, y * width + right);
  }
  return { width, height, pixels };
}

/** The engine's operation for a stored edit row. */
export function editOperation(generation: GenerationWithImages, source: { width: number; height: number }): EditOperation {
  const edit = generation.edit;
  if (generation.kind !== 'edit' || edit === undefined) throw new Error(`generation ${generation.id} is not an edit`);
  switch (edit.kind) {
    case 'zoom':
      return { kind: 'zoom', factor: edit.factor };
    case 'pan':
      return { kind: 'pan', direction: edit.direction };
    case 'region':
      return { kind: 'region', mask: regionMask(source.width, source.height, edit.cells), strength: generation.strength ?? REGION_STRENGTH };
    case 'remix':
      return { kind: 'remix', strength: generation.strength ?? 0.5 };
  }
}

export function isImageEditor(engine: ImageEngine): engine is ImageEngine & ImageEditor {
  return typeof (engine as Partial<ImageEditor>).edit === 'function';
}

/** Raised by the runner when the configured engine cannot edit images. */
export class EditUnsupportedError extends Error {
  override readonly name = 'EditUnsupportedError';
  constructor() {
    super('this engine cannot edit images (Zoom Out, Pan, Vary Region need the diffusion engine)');
  }
}

/** The mask's image-store key, next to the edit's image (`…/<id>/0.png` → `…/<id>/mask.png`). */
export function maskKeyOf(imageKey: string): string {
  return imageKey.replace(/[^/]+\.png$/, 'mask.png');
}

/** The line under an edit's result that says how it was made. */
export function editPathNote(result: Pick<EditResult, 'path'>, model: string): string {
  return result.path === 'inpaint' ? `Edited with the inpainting model ${model}.` : `Blended on ${model} (no inpainting model for it is installed).`;
}

/** Runs a stored edit row on the engine. */
export async function runEditJob(
  engine: ImageEngine,
  generation: GenerationWithImages,
  request: GenerationRequest,
  image: RgbImage,
  options: GenerateOptions,
): Promise<EditResult> {
  if (!isImageEditor(engine)) throw new EditUnsupportedError();
  const { width: _width, height: _height, initImage: _init, ...rest } = request;
  const operation = editOperation(generation, image);
  const result = await engine.edit({ ...rest, count: 1, image, operation }, options);
  return { ...result, warnings: [editPathNote(result, generation.model), ...result.warnings] };
}
