/**
 * Reads what an upscaler .onnx expects from its session metadata, never from its file name:
 * exports call the image `input` (Real-ESRGAN's script), `data` (onnx-web), `pixel_values`
 * (Swin2SR) or something else, declare it float32 or float16, and have dynamic or static H/W
 * (shared notes §7).
 */
import type { IoInfo } from '../onnx/index.ts';
import { UnsupportedUpscalerError } from './upscale.errors.ts';

const FLOAT_TYPES: ReadonlySet<string> = new Set(['float32', 'float16']);

export interface UpscalerLayout {
  inputName: string;
  outputName: string;
  /** Static input height, or undefined when the model accepts any height. */
  fixedHeight: number | undefined;
  fixedWidth: number | undefined;
  /** Output/input size ratio when both shapes are static; undefined = probe with one run. */
  staticScale: number | undefined;
}

/** A static dim as a number; symbolic, unnamed or negative dims as undefined. */
function staticDim(dim: number | string | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

function checkImageShape(info: IoInfo, role: string, modelPath: string): void {
  const fail = (why: string): never => {
    throw new UnsupportedUpscalerError(modelPath, `${role} "${info.name}" ${why} (declared [${info.shape.join(', ')}], ${info.type})`);
  };
  if (!FLOAT_TYPES.has(info.type)) fail('is not a float32/float16 tensor');
  if (info.shape.length !== 4) fail('is not a 4-D [batch, 3, height, width] tensor');
  const channels = staticDim(info.shape[1]);
  if (channels !== undefined && channels !== 3) fail('does not have 3 (RGB) channels');
  const batch = staticDim(info.shape[0]);
  // Tiles run one at a time; a model built for a fixed batch of several images is not a photo upscaler export.
  if (batch !== undefined && batch !== 1) fail('needs a fixed batch larger than 1');
}

/** The integer output/input ratio of one axis when both sizes are static. */
function ratio(input: number | undefined, output: number | undefined): number | undefined {
  return input !== undefined && output !== undefined ? output / input : undefined;
}

/**
 * @throws UnsupportedUpscalerError when the graph is not one NCHW RGB float image in and out.
 */
export function readUpscalerLayout(inputs: readonly IoInfo[], outputs: readonly IoInfo[], modelPath: string): UpscalerLayout {
  if (inputs.length !== 1) {
    const names = inputs.map((info) => info.name).join(', ');
    throw new UnsupportedUpscalerError(modelPath, `it has ${inputs.length} inputs (${names}); an upscaler takes one image`);
  }
  const input = inputs[0] as IoInfo;
  checkImageShape(input, 'input', modelPath);
  const output = outputs.find((info) => info.name === 'output') ?? outputs[0];
  if (output === undefined) throw new UnsupportedUpscalerError(modelPath, 'it has no output');
  checkImageShape(output, 'output', modelPath);
  const fixedHeight = staticDim(input.shape[2]);
  const fixedWidth = staticDim(input.shape[3]);
  const heightRatio = ratio(fixedHeight, staticDim(output.shape[2]));
  const widthRatio = ratio(fixedWidth, staticDim(output.shape[3]));
  const known = [heightRatio, widthRatio].filter((value): value is number => value !== undefined);
  if (known.some((value) => value !== known[0])) {
    throw new UnsupportedUpscalerError(modelPath, `its static shapes give different scales per axis (${known.join(' vs ')})`);
  }
  return { inputName: input.name, outputName: output.name, fixedHeight, fixedWidth, staticScale: known[0] };
}

/**
 * Checks a measured or declared scale: upscalers enlarge by a whole factor (×1…×8).
 * @throws UnsupportedUpscalerError otherwise.
 */
export function checkScale(heightRatio: number, widthRatio: number, modelPath: string): number {
  if (heightRatio !== widthRatio || !Number.isInteger(heightRatio) || heightRatio < 1 || heightRatio > 8) {
    throw new UnsupportedUpscalerError(
      modelPath,
      `its output is ${heightRatio}× taller and ${widthRatio}× wider than its input; expected one whole factor from 1 to 8`,
    );
  }
  return heightRatio;
}
