import { describe, expect, it } from 'vitest';
import {
  canvasMask,
  fitWorkSize,
  outpaintWorkMask,
  pasteImage,
  planInPlace,
  planPan,
  planZoomOut,
  solidImage,
  type EditPlan,
} from '../../../src/generation/pipeline/edit-geometry.ts';

const sd15 = { nativeSize: 512, sizeMultiple: 64 };

/** Share of a mask's pixels that repaint. */
function repainted(mask: { pixels: Uint8Array }): number {
  return mask.pixels.filter((value) => value >= 128).length / mask.pixels.length;
}

/** Every kept latent cell of a work mask lies inside the scaled source, and the mask is 0/255 per whole 8×8 cell. */
function expectCellAligned(plan: EditPlan): void {
  const mask = outpaintWorkMask(plan);
  const inside = plan.sourceInWork;
  let wrong = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const value = mask.pixels[y * mask.width + x]!;
      if (value !== mask.pixels[(y - (y % 8)) * mask.width + (x - (x % 8))]) wrong++;
      if (value === 0 && !(x >= inside.left && x < inside.left + inside.width && y >= inside.top && y < inside.top + inside.height)) wrong++;
    }
  }
  expect(wrong).toBe(0);
}

describe('Zoom Out', () => {
  it('2× of 512²: a 1024² canvas, generated as one 512² run with the original shrunk to 256² in the middle', () => {
    const plan = planZoomOut({ width: 512, height: 512 }, 2, sd15);
    expect(plan.canvas).toEqual({ width: 1024, height: 1024 });
    expect(plan.source).toEqual({ left: 256, top: 256, width: 512, height: 512 });
    expect(plan.work).toEqual({ width: 512, height: 512 });
    expect(plan.sourceInWork).toEqual({ left: 128, top: 128, width: 256, height: 256 });
    const mask = outpaintWorkMask(plan);
    expect(repainted(mask)).toBeCloseTo(0.75, 5);
    expect(mask.pixels[128 * 512 + 128]).toBe(0);
    expect(mask.pixels[127 * 512 + 128]).toBe(255);
    expectCellAligned(plan);
  });

  it('1.5× of 512²: 768² canvas, still a 512² run; partly covered latent cells are repainted', () => {
    const plan = planZoomOut({ width: 512, height: 512 }, 1.5, sd15);
    expect(plan.canvas).toEqual({ width: 768, height: 768 });
    expect(plan.work).toEqual({ width: 512, height: 512 });
    // 512 · 512/768 = 341.33 → 341 px at 85.33 → 85: the cells from 88 to 424 are kept.
    expect(plan.sourceInWork).toEqual({ left: 85, top: 85, width: 341, height: 341 });
    const mask = outpaintWorkMask(plan);
    expect(mask.pixels[88 * 512 + 88]).toBe(0);
    expect(mask.pixels[87 * 512 + 88]).toBe(255);
    expect(mask.pixels[88 * 512 + 424]).toBe(255);
    expectCellAligned(plan);
  });

  it('custom factors keep the aspect and the run within the budget; a portrait runs at its own size', () => {
    const plan = planZoomOut({ width: 512, height: 768 }, 1.3, sd15);
    expect(plan.canvas.width / plan.canvas.height).toBeCloseTo(512 / 768, 1);
    expect(plan.work.width * plan.work.height).toBeLessThanOrEqual(512 * 768 * 1.1);
    expect(plan.work.width % 64).toBe(0);
    expect(plan.work.height % 64).toBe(0);
    expectCellAligned(plan);
  });

  it('refuses factors outside (1, 4] with the factor named', () => {
    for (const factor of [1, 0.5, 4.5, Number.NaN]) expect(() => planZoomOut({ width: 512, height: 512 }, factor, sd15)).toThrow(/zoom factor/);
  });
});

describe('Pan', () => {
  it.each([
    ['right', { width: 768, height: 512 }, { left: 0, top: 0 }, { left: 256, top: 0 }, { left: -256, top: 0 }],
    ['left', { width: 768, height: 512 }, { left: 256, top: 0 }, { left: 0, top: 0 }, { left: 256, top: 0 }],
    ['down', { width: 512, height: 768 }, { left: 0, top: 0 }, { left: 0, top: 256 }, { left: 0, top: -256 }],
    ['up', { width: 512, height: 768 }, { left: 0, top: 256 }, { left: 0, top: 0 }, { left: 0, top: 256 }],
  ] as const)('%s extends by half a side and generates a source-sized window at the new edge', (direction, canvas, source, window, inWork) => {
    const plan = planPan({ width: 512, height: 512 }, direction, sd15);
    expect(plan.canvas).toEqual(canvas);
    expect(plan.source).toMatchObject(source);
    expect(plan.window).toEqual({ ...window, width: 512, height: 512 });
    expect(plan.work).toEqual({ width: 512, height: 512 });
    expect(plan.sourceInWork).toEqual({ ...inWork, width: 512, height: 512 });
    // Half of the window is the original, half is new.
    expect(repainted(outpaintWorkMask(plan))).toBeCloseTo(0.5, 5);
    expect(repainted(canvasMask(plan))).toBeCloseTo(1 / 3, 5);
  });

  it('a large source pans through a scaled window within twice the native area', () => {
    const plan = planPan({ width: 1024, height: 1024 }, 'right', sd15);
    expect(plan.canvas).toEqual({ width: 1536, height: 1024 });
    expect(plan.work.width * plan.work.height).toBeLessThanOrEqual(2 * 512 * 512);
    expectCellAligned(plan);
  });
});

describe('in place (region, remix) and sizes', () => {
  it('runs a native-size image as it is and scales a large one down to the budget', () => {
    expect(planInPlace({ width: 512, height: 512 }, sd15).work).toEqual({ width: 512, height: 512 });
    const large = planInPlace({ width: 2048, height: 2048 }, sd15).work;
    expect(large.width * large.height).toBeLessThanOrEqual(2 * 512 * 512);
    expect(fitWorkSize({ width: 100, height: 60 }, 512 * 512, 64)).toEqual({ width: 128, height: 64 });
  });

  it('pastes clipped to the target and skips the pixels a mask marks', () => {
    const target = solidImage({ width: 4, height: 4 }, 0);
    const patch = solidImage({ width: 3, height: 3 }, 200);
    const except = { width: 3, height: 3, pixels: new Uint8Array(9).fill(0) };
    except.pixels[0] = 255;
    pasteImage(target, patch, 2, 2, except);
    expect(target.pixels[(2 * 4 + 2) * 3]).toBe(0); // patch (0,0) skipped
    expect(target.pixels[(2 * 4 + 3) * 3]).toBe(200);
    expect(target.pixels[(3 * 4 + 3) * 3]).toBe(200);
    expect(target.pixels[0]).toBe(0);
  });
});
