/**
 * A full-size SD 1.x VAE decoder (diffusers `AutoencoderKL` decoder with SD1.5's config:
 * block_out_channels 128/256/512/512, 3 resnets per up block, 32 groups, one 512-wide attention in
 * the mid block; ≈49.5 M parameters, ≈198 MB) with random weights, built for the TAESD benchmark:
 * `../shared`'s sd15-topology carries a tiny stand-in VAE, whose decode says nothing about a real
 * model's. GroupNorm is Reshape + InstanceNormalization (opset 14 has no GroupNormalization),
 * SiLU is x·sigmoid(x), upsampling is nearest ×2, as the torch export of the decoder computes them.
 */
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { GraphBuilder } from '../../test/fixtures/onnx/onnx-graph.builder.ts';

const GROUPS = 32;
const EPSILON = 1e-6;

class DecoderGraph {
  readonly graph = new GraphBuilder('vae_decoder', 4242);
  readonly #ones = this.graph.constant('ones', new Float32Array(GROUPS).fill(1), [GROUPS]);
  readonly #zeros = this.graph.constant('zeros', new Float32Array(GROUPS), [GROUPS]);
  readonly #grouped = this.graph.ints('grouped', [0, GROUPS, -1]);

  conv(x: string, from: number, to: number, kernel: number): string {
    const pad = (kernel - 1) / 2;
    return this.graph.node('Conv', [x, this.graph.weight('conv_w', [to, from, kernel, kernel]), this.graph.weight('conv_b', [to], 0.01)], {
      pads: { ints: [pad, pad, pad, pad] },
    });
  }

  groupNorm(x: string, channels: number): string {
    const g = this.graph;
    const normed = g.node('InstanceNormalization', [g.node('Reshape', [x, this.#grouped]), this.#ones, this.#zeros], { epsilon: { f: EPSILON } });
    const back = g.node('Reshape', [normed, g.node('Shape', [x])]);
    const gamma = g.constant('gamma', new Float32Array(channels).fill(1), [channels, 1, 1]);
    const beta = g.constant('beta', new Float32Array(channels), [channels, 1, 1]);
    return g.node('Add', [g.node('Mul', [back, gamma]), beta]);
  }

  silu(x: string): string {
    return this.graph.node('Mul', [x, this.graph.node('Sigmoid', [x])]);
  }

  resnet(x: string, from: number, to: number): string {
    const h = this.conv(this.silu(this.groupNorm(this.conv(this.silu(this.groupNorm(x, from)), from, to, 3), to)), to, to, 3);
    const skip = from === to ? x : this.conv(x, from, to, 1);
    return this.graph.node('Add', [skip, h]);
  }

  attention(x: string, channels: number): string {
    const g = this.graph;
    const tokens = g.node('Transpose', [g.node('Reshape', [this.groupNorm(x, channels), g.ints('flat', [0, channels, -1])])], { perm: { ints: [0, 2, 1] } });
    const linear = (input: string): string => g.node('Add', [g.node('MatMul', [input, g.weight('w', [channels, channels])]), g.weight('b', [channels], 0.01)]);
    const q = linear(tokens);
    const k = linear(tokens);
    const v = linear(tokens);
    const scores = g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: { ints: [0, 2, 1] } })]), g.scalar('scale', 1 / Math.sqrt(channels))]);
    const attended = linear(g.node('MatMul', [g.node('Softmax', [scores], { axis: { i: -1 } }), v]));
    const back = g.node('Reshape', [g.node('Transpose', [attended], { perm: { ints: [0, 2, 1] } }), g.node('Shape', [x])]);
    return g.node('Add', [x, back]);
  }

  upsample(x: string): string {
    const g = this.graph;
    return g.node('Resize', [x, '', g.constant('scales', new Float32Array([1, 1, 2, 2]), [4])], { mode: { s: 'nearest' } });
  }
}

/** Writes the decoder to `<dir>/vae_decoder/model.onnx` (+ `model.onnx_data`). */
export async function writeSdVaeDecoder(dir: string): Promise<void> {
  const d = new DecoderGraph();
  const g = d.graph;
  const latents = g.input('latent_sample', 'float32', ['batch', 4, 'height', 'width']);
  let x = d.conv(latents, 4, 512, 3);
  x = d.resnet(x, 512, 512);
  x = d.attention(x, 512);
  x = d.resnet(x, 512, 512);
  // Up blocks, deepest first: reversed block_out_channels (512, 512, 256, 128), upsampling after all but the last.
  const channels = [512, 512, 256, 128];
  let current = 512;
  channels.forEach((width, level) => {
    for (let layer = 0; layer < 3; layer++) {
      x = d.resnet(x, current, width);
      current = width;
    }
    if (level < channels.length - 1) x = d.conv(d.upsample(x), current, current, 3);
  });
  const sample = d.conv(d.silu(d.groupNorm(x, current)), current, 3, 3);
  g.node('Identity', [sample], {}, { outputs: ['sample'] });
  g.output('sample', 'float32', ['batch', 3, 'height_out', 'width_out']);
  await g.write(path.join(dir, 'vae_decoder', 'model.onnx'), { kind: 'external', fileName: 'model.onnx_data' });
}

/** `source` with its vae_decoder/ replaced by the full-size one: every other part is a symlink. */
export async function withSdVaeDecoder(source: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(source)) {
    if (entry !== 'vae_decoder') await symlink(path.join(source, entry), path.join(dir, entry));
  }
  await writeSdVaeDecoder(dir);
  return dir;
}
