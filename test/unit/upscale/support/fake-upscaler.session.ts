/**
 * A {@link ModelSession} that behaves like a small upscaler without onnxruntime: an asymmetric
 * (2r+1)² filter with zero padding (like a conv with `pads`) followed by a nearest ×scale enlargement.
 * It enforces its declared static dims and records the dims of every run.
 */
import type { IoInfo, ModelSession, TensorInput, TensorOutput } from '../../../../src/generation/onnx/index.ts';
import type { RgbImage } from '../../../../src/images/rgb-image.ts';

export interface FakeUpscalerSpec {
  inputName: string;
  inputType: 'float32' | 'float16';
  /** Static square input side, or undefined for dynamic H/W. */
  fixedSize: number | undefined;
  scale: number;
  /** Filter radius in input pixels (the model's receptive field). */
  radius: number;
  /** Whether the output shape declares static sizes (else the scale must be probed). */
  staticOutput: boolean;
}

/** Filter weight of offset (dy, dx): asymmetric so a flipped or shifted tile would show. */
function weight(dy: number, dx: number, radius: number): number {
  const side = 2 * radius + 1;
  return (1 + 0.3 * dy + 0.1 * dx) / (side * side);
}

/** The fake model's value at input pixel (y, x) of channel `channel`, for planar [3, H, W] data in [0, 1]. */
export function filteredValue(read: (channel: number, y: number, x: number) => number | undefined, channel: number, y: number, x: number, radius: number): number {
  let sum = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) sum += weight(dy, dx, radius) * (read(channel, y + dy, x + dx) ?? 0);
  }
  return sum;
}

export class FakeUpscalerSession implements ModelSession {
  readonly path = '/fake/upscaler.onnx';
  readonly provider = 'cpu';
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  readonly runDims: number[][] = [];
  released = false;

  constructor(private readonly spec: FakeUpscalerSpec) {
    const size = spec.fixedSize;
    this.inputs = [{ name: spec.inputName, type: spec.inputType, shape: size === undefined ? ['batch', 3, 'height', 'width'] : [1, 3, size, size] }];
    const outSize = size !== undefined && spec.staticOutput ? size * spec.scale : undefined;
    this.outputs = [{ name: 'output', type: spec.inputType, shape: outSize === undefined ? ['batch', 3, 'h', 'w'] : [1, 3, outSize, outSize] }];
  }

  hasInput(name: string): boolean {
    return name === this.spec.inputName;
  }

  run(feeds: Record<string, TensorInput>): Promise<Record<string, TensorOutput>> {
    const feed = feeds[this.spec.inputName];
    if (feed === undefined || !(feed.data instanceof Float32Array)) throw new Error('fake upscaler: missing float32 input');
    const [batch, channels, height = 0, width = 0] = feed.dims;
    const size = this.spec.fixedSize;
    if (batch !== 1 || channels !== 3 || (size !== undefined && (height !== size || width !== size))) {
      throw new Error(`fake upscaler: bad input dims [${feed.dims.join(', ')}]`);
    }
    this.runDims.push([...feed.dims]);
    const input = feed.data;
    const { scale, radius } = this.spec;
    // Same sum as filteredValue, unrolled over taps (zero outside the input) so tests stay fast.
    const filtered = new Float32Array(3 * height * width);
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const tapWeight = weight(dy, dx, radius);
        for (let channel = 0; channel < 3; channel++) {
          for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
            const rowBase = (channel * height + y) * width;
            const sourceBase = (channel * height + y + dy) * width + dx;
            for (let x = Math.max(0, -dx); x < Math.min(width, width - dx); x++) filtered[rowBase + x] = (filtered[rowBase + x] ?? 0) + tapWeight * (input[sourceBase + x] ?? 0);
          }
        }
      }
    }
    const outHeight = height * scale;
    const outWidth = width * scale;
    const output = new Float32Array(3 * outHeight * outWidth);
    for (let channel = 0; channel < 3; channel++) {
      for (let y = 0; y < outHeight; y++) {
        for (let x = 0; x < outWidth; x++) {
          output[(channel * outHeight + y) * outWidth + x] = filtered[(channel * height + Math.floor(y / scale)) * width + Math.floor(x / scale)] ?? 0;
        }
      }
    }
    return Promise.resolve({ output: { data: output, dims: [1, 3, outHeight, outWidth] } });
  }

  release(): Promise<void> {
    this.released = true;
    return Promise.resolve();
  }
}

/** Deterministic "photo": smooth gradients plus a pseudo-random texture, so seams would show. */
export function testImage(width: number, height: number, seed: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed >>> 0;
  for (let index = 0; index < width * height; index++) {
    const x = index % width;
    const y = Math.floor(index / width);
    for (let channel = 0; channel < 3; channel++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const smooth = 127 + 100 * Math.sin((x * (channel + 1)) / 17 + y / 23);
      pixels[index * 3 + channel] = Math.max(0, Math.min(255, Math.round(smooth + ((state >>> 24) - 128) / 4)));
    }
  }
  return { width, height, pixels };
}

/** Largest per-byte difference between two images of the same size (Infinity when sizes differ). */
export function maxByteDiff(a: RgbImage, b: RgbImage): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let max = 0;
  for (let index = 0; index < a.pixels.length; index++) max = Math.max(max, Math.abs((a.pixels[index] ?? 0) - (b.pixels[index] ?? 0)));
  return max;
}

/** The top-left `width`×`height` region of an image (to compare away from mirrored edges). */
export function cropTopLeft(image: RgbImage, width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) pixels.set(image.pixels.subarray(row * image.width * 3, (row * image.width + width) * 3), row * width * 3);
  return { width, height, pixels };
}
