/**
 * The finished canvas of an outpainting edit, in one place: the service sizes the child row
 * (and checks it against the limits) with it before queueing, and the engine's plan
 * (`pipeline/edit-geometry.ts`) builds exactly that canvas. Pure arithmetic, no imports.
 */

/** Canvas sides are multiples of the latent cell (8 pixels). */
export const LATENT_CELL = 8;

export interface CanvasSize {
  width: number;
  height: number;
}

/** `value` rounded to the nearest multiple of `multiple`, never below one multiple. */
export function roundToMultiple(value: number, multiple: number): number {
  return Math.max(multiple, Math.round(value / multiple) * multiple);
}

/** Zoom Out by `factor`: every side `factor` times longer, on the latent grid. */
export function zoomCanvasSize(source: CanvasSize, factor: number): CanvasSize {
  return { width: roundToMultiple(source.width * factor, LATENT_CELL), height: roundToMultiple(source.height * factor, LATENT_CELL) };
}

/** Pan: the side along `direction` grows by half its length (on the latent grid). */
export function panCanvasSize(source: CanvasSize, direction: 'left' | 'right' | 'up' | 'down'): CanvasSize & { added: number } {
  const horizontal = direction === 'left' || direction === 'right';
  const added = roundToMultiple((horizontal ? source.width : source.height) / 2, LATENT_CELL);
  return horizontal
    ? { width: source.width + added, height: source.height, added }
    : { width: source.width, height: source.height + added, added };
}
