/**
 * Upscaler graphs beyond the shared Real-ESRGAN fixture (`test/fixtures/onnx/upscaler.fixture.ts`):
 * other input/output names (onnx-web's `data`), float16 I/O, other scales and a wider receptive
 * field. Output = Resize(image, ×scale) + gain · tanh(DepthToSpace(conv stack)), so every output
 * pixel depends on the input within `convLayers` pixels (each 3×3 conv reaches 1 pixel further).
 */
import { floatInput, floatOutput, GraphBuilder } from '../../../fixtures/onnx/onnx-graph.builder.ts';

export interface UpscalerVariantSpec {
  inputName: string;
  outputName: string;
  ioType: 'float32' | 'float16';
  /** Static square input side, or undefined for dynamic H/W. */
  fixedSize: number | undefined;
  scale: number;
  resizeMode: 'nearest' | 'linear';
  /** Number of stacked 3×3 convolutions (receptive radius in input pixels). */
  convLayers: number;
  seed: number;
}

const HIDDEN_CHANNELS = 6;
const DETAIL_GAIN = 0.1;

export async function writeUpscalerVariant(filePath: string, spec: UpscalerVariantSpec): Promise<void> {
  const graph = new GraphBuilder('upscaler_variant', spec.seed);
  const size = spec.fixedSize;
  const image = floatInput(graph, spec.inputName, spec.ioType, size === undefined ? ['batch', 3, 'height', 'width'] : [1, 3, size, size]);
  const resized = graph.node('Resize', [image, '', graph.constant('scales', Float32Array.from([1, 1, spec.scale, spec.scale]), [4])], {
    mode: { s: spec.resizeMode },
  });
  let features = image;
  let channels = 3;
  for (let layer = 0; layer < spec.convLayers; layer++) {
    const last = layer === spec.convLayers - 1;
    const outChannels = last ? 3 * spec.scale * spec.scale : HIDDEN_CHANNELS;
    const conv = graph.node(
      'Conv',
      [features, graph.weight(`conv${layer}_w`, [outChannels, channels, 3, 3], 1.5 / Math.sqrt(channels * 9)), graph.weight(`conv${layer}_b`, [outChannels], 0.2)],
      { pads: { ints: [1, 1, 1, 1] } },
    );
    features = last ? conv : graph.node('Tanh', [conv]);
    channels = outChannels;
  }
  const detail = graph.node('Tanh', [graph.node('DepthToSpace', [features], { blocksize: { i: spec.scale }, mode: { s: 'DCR' } })]);
  const upscaled = graph.node('Add', [resized, graph.node('Mul', [detail, graph.scalar('gain', DETAIL_GAIN)])]);
  const outSize = size === undefined ? undefined : size * spec.scale;
  floatOutput(graph, upscaled, spec.outputName, spec.ioType, outSize === undefined ? ['batch', 3, 'height_out', 'width_out'] : [1, 3, outSize, outSize]);
  await graph.write(filePath, { kind: 'inline' });
}
