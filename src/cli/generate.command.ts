/**
 * `darkroom generate`: txt2img / img2img from the command line, through the same engine the
 * bot uses. Prints each image's seed and file, then the timings.
 */
import { randomInt } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_IMAGES_PER_REQUEST, SCHEDULER_NAMES, type GenerationRequest, type SchedulerName } from '../generation/engine.types.ts';
import type { DiffusionEngine } from '../generation/pipeline/diffusion-engine.ts';
import { recommendedSettings } from '../generation/pipeline/model-defaults.ts';
import { MAX_IMAGE_SIDE } from '../generation/requests/generation-limits.ts';
import { MAX_SEED } from '../generation/requests/imagine-options.ts';
import { parseSchedulerName } from '../generation/schedulers/index.ts';
import type { CliContext } from './cli-context.ts';
import { catalogOrReport, EXIT, interruptOnSignals } from './cli-context.ts';
import { createStepProgressReporter, type StepProgressReporter } from './step-progress.reporter.ts';

interface GenerateFlags {
  model: string | undefined;
  prompt: string;
  /** undefined when not given: diffusers' `negative_prompt=None`. */
  negative: string | undefined;
  seed: number | undefined;
  steps: number | undefined;
  guidance: number | undefined;
  scheduler: SchedulerName | undefined;
  width: number | undefined;
  height: number | undefined;
  count: number;
  initImage: string | undefined;
  strength: number;
  upscale: boolean;
  out: string;
}

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected an integer ${min}–${max}`);
    return parsed;
  };
}

function decimal(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new InvalidArgumentError(`expected a number ${min}–${max}`);
    return parsed;
  };
}

/** Our names or A1111's / k-diffusion's (`"DPM++ 2M Karras"`, `k_euler_a`), as in chat. */
function schedulerName(value: string): SchedulerName {
  const name = parseSchedulerName(value);
  if (name === undefined) throw new InvalidArgumentError(`one of ${SCHEDULER_NAMES.join(', ')}`);
  return name;
}

/** `out.png` for one image; `out-1.png`, `out-2.png`… for several. */
export function outputFileNames(out: string, count: number): string[] {
  if (count === 1) return [out];
  const extension = path.extname(out) || '.png';
  const stem = path.extname(out) ? out.slice(0, -extension.length) : out;
  return Array.from({ length: count }, (_, index) => `${stem}-${index + 1}${extension}`);
}

/**
 * Creates the folder of `--out` when it is missing and checks that a file can be written there;
 * the plain reason when not.
 */
export async function prepareOutputFolder(out: string): Promise<string | undefined> {
  const folder = path.dirname(path.resolve(out));
  try {
    await mkdir(folder, { recursive: true });
    await access(folder, fsConstants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'part of that path is a file, not a folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EROFS'
            ? 'the file system is read-only'
            : code === 'ENOSPC'
              ? 'the disk is full'
              : code || String(error);
    return `--out ${out}: cannot write into ${folder} (${why}).`;
  }
  try {
    if ((await stat(path.resolve(out))).isDirectory()) return `--out ${out}: that is a folder; give a file name such as ${path.join(out, 'image.png')}.`;
  } catch {
    // Not there yet: the usual case.
  }
  return undefined;
}

export function registerGenerateCommand(program: Command, context: CliContext): void {
  program
    .command('generate')
    .description('generate images from a prompt (txt2img, or img2img with --init-image)')
    .option('--model <name|dir>', 'catalog name or model folder (default: engine.defaultModel)')
    .requiredOption('--prompt <text>', 'what to draw (A1111 weighting: (word:1.3), [word])')
    .option('--negative <text>', 'negative prompt (none by default; SDXL then uses zero embeddings, as diffusers does, while --negative "" encodes the empty text)')
    .option('--seed <n>', 'seed of the first image (image i uses seed + i; default: random)', integer(0, MAX_SEED))
    .option('--steps <n>', 'denoising steps (default: the model’s recommendation)', integer(1, 150))
    .option('--guidance <x>', 'classifier-free guidance scale', decimal(0, 30))
    .option('--scheduler <name>', `one of ${SCHEDULER_NAMES.join(', ')} (A1111 names work too)`, schedulerName)
    .option('--width <px>', 'image width (a multiple of the model’s size step: 64 px for SD 1.x/2.x, 32 for SDXL)', integer(8, MAX_IMAGE_SIDE))
    .option('--height <px>', 'image height (same multiple as --width)', integer(8, MAX_IMAGE_SIDE))
    .option('--count <n>', 'images to generate', integer(1, MAX_IMAGES_PER_REQUEST), 1)
    .option('--init-image <file>', 'img2img: start from this image (PNG, JPEG, WebP…, at most 50 MB; output size: its own, at most 4096 px a side)')
    .option('--strength <s>', 'img2img: how much to change the init image, (0, 1]', decimal(0.01, 1), 0.8)
    .option('--upscale', '2× upscale each image afterwards', false)
    .requiredOption('--out <file.png>', 'output file (several images: FILE-1.png, FILE-2.png, …)')
    .action(async (flags: GenerateFlags) => {
      context.exitCode = await runGenerate(flags, context);
    });
}

/**
 * A usage mistake in `--width`/`--height` for this model (sides must be multiples of
 * `multiple`), naming the nearest valid sizes; undefined when both are fine or not given.
 */
export function sizeFlagProblem(flags: { width: number | undefined; height: number | undefined }, multiple: number, model: string): string | undefined {
  for (const [flag, value] of [['--width', flags.width], ['--height', flags.height]] as const) {
    if (value === undefined || value % multiple === 0) continue;
    const below = Math.floor(value / multiple) * multiple;
    const nearest = below === 0 ? `${multiple}` : `${below} or ${below + multiple}`;
    return `${flag} ${value}: ${model} needs multiples of ${multiple} px (nearest: ${nearest})`;
  }
  return undefined;
}

/** The 2× upscale of one PNG, or the PNG itself (with a note) when upscaling is not available. */
async function upscaled(
  engine: DiffusionEngine,
  png: Buffer,
  request: GenerationRequest,
  signal: AbortSignal,
  context: CliContext,
  progress: { reporter: StepProgressReporter; label: string },
): Promise<Buffer> {
  try {
    const result = await engine.upscale(png, request, {
      signal,
      onProgress: (step) => progress.reporter.step(progress.label, step.step, step.totalSteps),
      previews: false,
    });
    for (const warning of result.warnings) context.err(`warning: ${warning}`);
    return result.images[0]?.png ?? png;
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    context.err(`warning: not upscaled (${error instanceof Error ? error.message : String(error)})`);
    return png;
  }
}

async function runGenerate(flags: GenerateFlags, context: CliContext): Promise<number> {
  // The engine (onnxruntime, sharp, the pipeline) loads only when generate runs, so that
  // `darkroom --help` and the other commands start fast.
  const [{ resolveModel }, { createDiffusionEngine }, { fitOutputSize, readInitImage, upscaleProblem }, { folderSizeMultiple }] = await Promise.all([
    import('../generation/models/model-resolve.ts'),
    import('../generation/engine.factory.ts'),
    import('./init-image.reader.ts'),
    import('../generation/pipeline/pipeline-loader.ts'),
  ]);
  const config = context.config();
  if (config === undefined) return EXIT.config;
  // The person's own file first: a wrong path is answered before any model is looked at.
  let initImage: GenerationRequest['initImage'];
  if (flags.initImage !== undefined) {
    const read = await readInitImage(flags.initImage);
    if (!read.ok) {
      context.err(read.message);
      return EXIT.failure;
    }
    initImage = { image: read.image, strength: flags.strength };
  }
  const catalog = await catalogOrReport(context, config.models);
  if (catalog === undefined) return EXIT.failure;
  const locations = { catalog, modelsDir: config.models.dir };
  const modelName = flags.model ?? config.engine.defaultModel;
  const resolved = await resolveModel(modelName, locations);
  if (!resolved.ok) {
    context.err(resolved.message);
    return EXIT.failure;
  }
  // A size the model cannot take is a mistake to answer now, not after loading the sessions.
  const sizeProblem = sizeFlagProblem(flags, await folderSizeMultiple(resolved.info), modelName);
  if (sizeProblem !== undefined) {
    context.err(sizeProblem);
    return EXIT.failure;
  }
  const defaults = recommendedSettings(resolved.info, resolved.entry);
  const size = initImage !== undefined ? fitOutputSize(initImage.image, flags.width, flags.height) : undefined;
  if (size?.note !== undefined) context.err(`note: ${size.note}`);
  const request: GenerationRequest = {
    model: modelName,
    prompt: flags.prompt,
    negativePrompt: flags.negative,
    seed: flags.seed ?? randomInt(0, MAX_SEED + 1 - MAX_IMAGES_PER_REQUEST),
    steps: flags.steps ?? defaults.steps,
    guidance: flags.guidance ?? defaults.guidance,
    scheduler: flags.scheduler ?? defaults.scheduler,
    width: size?.width ?? flags.width ?? defaults.width,
    height: size?.height ?? flags.height ?? defaults.height,
    count: flags.count,
    initImage,
  };
  const tooLargeToUpscale = flags.upscale ? upscaleProblem(request.width, request.height) : undefined;
  if (tooLargeToUpscale !== undefined) {
    context.err(tooLargeToUpscale);
    return EXIT.failure;
  }
  // Where the images go, before any work: a missing folder is created, one that cannot be is
  // answered now rather than after minutes of generating.
  const outProblem = await prepareOutputFolder(flags.out);
  if (outProblem !== undefined) {
    context.err(outProblem);
    return EXIT.failure;
  }
  const logger = context.logger(config, 'stderr');
  const modelCacheDir = path.join(config.dataDir, 'cache', 'onnx');
  const engine = createDiffusionEngine({ engine: config.engine, locations, cachedPipelines: 1, modelCacheDir, logger });
  // Ctrl+C cancels after the running step; a second Ctrl+C exits at once.
  const interrupt = interruptOnSignals();
  const progress = createStepProgressReporter({
    interactive: process.stderr.isTTY === true,
    stream: process.stderr,
    line: (text) => context.err(text),
  });
  try {
    context.err(
      `${request.model}: ${request.width}×${request.height}, ${request.steps} steps, guidance ${request.guidance}, ` +
        `scheduler ${request.scheduler ?? 'from the model folder'}${initImage ? `, img2img strength ${initImage.strength}` : ''}`,
    );
    const result = await engine.generate(request, {
      signal: interrupt.signal,
      onProgress: (step) => progress.step('generating', step.step, step.totalSteps),
      previews: false,
    });
    progress.finish();
    for (const warning of result.warnings) context.err(`warning: ${warning}`);
    const files = outputFileNames(flags.out, result.images.length);
    for (const [index, image] of result.images.entries()) {
      const label = result.images.length === 1 ? 'upscaling' : `upscaling ${index + 1}/${result.images.length}`;
      const png = flags.upscale ? await upscaled(engine, image.png, { ...request, seed: image.seed }, interrupt.signal, context, { reporter: progress, label }) : image.png;
      progress.finish();
      await writeFile(files[index]!, png);
      const nsfw = image.nsfw === undefined ? '' : image.nsfw ? ' (flagged NSFW by the safety checker)' : '';
      context.out(`seed ${image.seed} → ${files[index]}${nsfw}`);
    }
    const { timings } = result;
    const perStep = timings.stepMs.length > 0 ? timings.denoiseMs / timings.stepMs.length : 0;
    context.out(
      `time: total ${(timings.totalMs / 1000).toFixed(2)} s · text ${timings.textEncodeMs.toFixed(0)} ms · ` +
        `denoise ${(timings.denoiseMs / 1000).toFixed(2)} s (${perStep.toFixed(0)} ms/step) · decode ${timings.decodeMs.toFixed(0)} ms`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') {
      context.err('cancelled');
      return 130;
    }
    if (error instanceof Error && 'code' in error) {
      context.err(error.message);
      return EXIT.failure;
    }
    throw error;
  } finally {
    progress.finish();
    interrupt.dispose();
    await engine.close();
  }
}
