/**
 * The guidance-scale embedding LCM UNets take as `timestep_cond` (diffusers
 * `LatentConsistencyModelPipeline.get_guidance_scale_embedding`, from Google's VDM): sinusoids of
 * `1000 · w` where `w = guidance − 1`, sines first then cosines, computed in float32 like torch.
 */

const f32 = Math.fround;

/**
 * `[rows, dim]` embedding of guidance `w` (already `guidance − 1`), the same row repeated for
 * each of `rows` batch entries.
 */
export function guidanceScaleEmbedding(w: number, dim: number, rows: number): Float32Array {
  const half = Math.floor(dim / 2);
  const row = new Float32Array(dim);
  // torch: log(tensor(10000.0)) / (half_dim - 1), all float32.
  const step = f32(f32(Math.log(10000)) / (half - 1));
  const scaledW = f32(f32(w) * 1000);
  for (let index = 0; index < half; index++) {
    const frequency = f32(Math.exp(f32(index * -step)));
    const angle = f32(scaledW * frequency);
    row[index] = Math.sin(angle);
    row[half + index] = Math.cos(angle);
  }
  // Odd dims are zero-padded at the end, as in diffusers (the last element stays 0).
  const result = new Float32Array(rows * dim);
  for (let rowIndex = 0; rowIndex < rows; rowIndex++) result.set(row, rowIndex * dim);
  return result;
}
