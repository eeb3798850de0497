/**
 * Runs the UNet over "rows" (one row = one latent + its conditioning). Classifier-free guidance
 * puts the negative rows first and the positive rows after, as diffusers concatenates
 * `[negative, positive]`; `rowsPerCall` decides how many rows go into one session run (all of
 * them = one batched call; 1 = one batch-1 call per row, the low-memory way OnnxStack does it).
 * Input buffers are allocated once per generation and refilled every step.
 */
import type { ModelSession, TensorInput } from '../onnx/index.ts';

/**
 * How classifier-free guidance rows go through the UNet: `batched` = one call on all rows
 * (diffusers), `sequential` = one batch-1 call per row (less memory: the attention scores of one
 * row at a time), `auto` = sequential on the CPU, where it costs about the same time (issue 16),
 * batched on GPU providers.
 */
export type CfgBatching = 'auto' | 'batched' | 'sequential';

/** Rows per UNet call for a mode on the provider the UNet session actually runs on. */
export function unetRowsPerCall(mode: CfgBatching, provider: string, rows: number): number {
  const batched = mode === 'batched' || (mode === 'auto' && provider !== 'cpu');
  return batched ? rows : 1;
}

/** Latent channels a UNet predicts (its `sample` may have more: 9 for inpainting). */
export const PREDICTED_CHANNELS = 4;

/** Per-row conditioning, constant for the whole denoising loop. */
export interface UnetConditioning {
  /** [rows, seqLen, hiddenSize] */
  encoderHiddenStates: Float32Array;
  seqLen: number;
  hiddenSize: number;
  /** SDXL: pooled text embeddings [rows, textEmbedsDim]. */
  textEmbeds: Float32Array | undefined;
  /** SDXL: [rows, timeIdsLength]. */
  timeIds: Float32Array | undefined;
  /** LCM: guidance embedding [rows, dim]. */
  timestepCond: Float32Array | undefined;
}

function rowSlice(data: Float32Array, rows: number, first: number, count: number): TensorInput['data'] {
  const width = data.length / rows;
  return data.subarray(first * width, (first + count) * width);
}

export class UnetRunner {
  /** Gathers the rows of several session runs (allocated on first use: one batched run needs no gathering). */
  #output: Float32Array | undefined;
  readonly #timestep = new Float32Array(1);

  constructor(
    private readonly unet: ModelSession,
    private readonly conditioning: UnetConditioning,
    private readonly rows: number,
    private readonly latentShape: readonly [channels: number, height: number, width: number],
    private readonly rowsPerCall: number,
  ) {}

  /**
   * Noise (or v) prediction [rows, 4, h, w] for every row at timestep `t`. `sample` is [rows, C, h, w]. The
   * returned array may be reused by the next call: consume it before predicting again.
   */
  async predict(sample: Float32Array, t: number): Promise<Float32Array> {
    this.#timestep[0] = t;
    const [channels, height, width] = this.latentShape;
    const rowSize = channels * height * width;
    // Every supported UNet predicts 4 latent channels; an inpainting UNet reads 9.
    const outputRowSize = PREDICTED_CHANNELS * height * width;
    const { encoderHiddenStates, seqLen, hiddenSize, textEmbeds, timeIds, timestepCond } = this.conditioning;
    for (let first = 0; first < this.rows; first += this.rowsPerCall) {
      const count = Math.min(this.rowsPerCall, this.rows - first);
      const feeds: Record<string, TensorInput> = {
        sample: { data: sample.subarray(first * rowSize, (first + count) * rowSize), dims: [count, channels, height, width] },
        timestep: { data: this.#timestep, dims: [1] },
        encoder_hidden_states: {
          data: rowSlice(encoderHiddenStates, this.rows, first, count),
          dims: [count, seqLen, hiddenSize],
        },
      };
      if (textEmbeds && timeIds) {
        feeds['text_embeds'] = { data: rowSlice(textEmbeds, this.rows, first, count), dims: [count, textEmbeds.length / this.rows] };
        feeds['time_ids'] = { data: rowSlice(timeIds, this.rows, first, count), dims: [count, timeIds.length / this.rows] };
      }
      if (timestepCond) {
        feeds['timestep_cond'] = {
          data: rowSlice(timestepCond, this.rows, first, count),
          dims: [count, timestepCond.length / this.rows],
        };
      }
      const outputs = await this.unet.run(feeds);
      const predicted = outputs['out_sample'] ?? Object.values(outputs)[0];
      if (!predicted || predicted.data.length !== count * outputRowSize) {
        throw new Error(`${this.unet.path}: UNet output has ${predicted?.data.length ?? 0} values, expected ${count * outputRowSize}`);
      }
      // All rows in one run: the session's fresh output array is the answer, no copy needed.
      if (count === this.rows) return predicted.data;
      this.#output ??= new Float32Array(this.rows * outputRowSize);
      this.#output.set(predicted.data, first * outputRowSize);
    }
    return this.#output!;
  }
}
