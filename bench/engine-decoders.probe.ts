/**
 * One measured generation on sd15-topology with the model's VAE or TAESD, in a process of its
 * own: RSS per phase (text encode, each UNet step, each decode, each TAESD preview), sampled every
 * few milliseconds on the main thread while the ONNX calls run in the session-host worker, plus
 * session create times, wall and the sum of ONNX calls. Run by `engine-decoders.ts` with a JSON
 * {@link DecoderProbeSpec} as argument 1; prints one JSON object on stdout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import pino from 'pino';
import type { StepProgress } from '../src/generation/engine.types.ts';
import { inspectTaesdFolder } from '../src/generation/models/taesd-folder.ts';
import type { ModelSession } from '../src/generation/onnx/index.ts';
import type { ModelPart } from '../src/generation/pipeline/pipeline-loader.ts';
import { StableDiffusionPipeline } from '../src/generation/pipeline/stable-diffusion.pipeline.ts';

export interface DecoderProbeSpec {
  dir: string;
  taesdDir: string;
  cacheDir: string;
  decoder: 'full' | 'taesd';
  /** Read a TAESD preview at every step (as a chat job would every few seconds). */
  previews: boolean;
  steps: number;
  guidance: number;
  size: number;
}

const SAMPLE_MS = 10;
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
const round = (value: number): number => Math.round(value);

interface Call {
  part: ModelPart;
  start: number;
  end: number;
  /** Made for a preview (`previewImage()`), not the final decode. */
  preview: boolean;
}

/** Set while a preview decodes, through every await of its (possibly tiled) TAESD runs. */
const inPreview = new AsyncLocalStorage<boolean>();

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as DecoderProbeSpec;
  const created: Record<string, number> = {};
  const logger = pino({ level: 'debug' }, {
    write: (line: string) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry['msg'] !== 'onnx.session.created') return;
      const file = String(entry['model']);
      created[`${path.basename(path.dirname(path.dirname(file)))}/${path.basename(path.dirname(file))}`] = round(Number(entry['ms']));
    },
  });
  // RSS samples on the main thread; ONNX runs in the worker, so the timer keeps firing during calls.
  const samples: Array<{ at: number; rss: number }> = [];
  const sample = (): void => void samples.push({ at: performance.now(), rss: process.memoryUsage.rss() });
  const timer = setInterval(sample, SAMPLE_MS);
  const calls: Call[] = [];
  const hook = (part: ModelPart, session: ModelSession): ModelSession => ({
    path: session.path,
    provider: session.provider,
    inputs: session.inputs,
    outputs: session.outputs,
    hasInput: (name) => session.hasInput(name),
    async run(feeds, outputNames) {
      sample();
      const start = performance.now();
      try {
        return await session.run(feeds, outputNames);
      } finally {
        sample();
        calls.push({ part, start, end: performance.now(), preview: inPreview.getStore() === true });
      }
    },
    release: () => session.release(),
  });
  const taesd = await inspectTaesdFolder(spec.taesdDir);
  if (!taesd.ok) throw new Error(taesd.message);

  const loadStarted = performance.now();
  const pipeline = await StableDiffusionPipeline.load(spec.dir, {
    provider: 'cpu',
    threads: undefined,
    logger,
    cfgBatching: 'auto',
    catalogFamily: undefined,
    sessionHook: hook,
    modelCacheDir: spec.cacheDir,
    decoders: { final: spec.decoder, preview: spec.previews ? 'taesd' : 'latent', taesd },
  });
  const loadMs = performance.now() - loadStarted;
  const afterLoadRss = mb(process.memoryUsage.rss());
  const previews: Array<Promise<unknown>> = [];
  const generateStarted = performance.now();
  const result = await pipeline.generate(
    {
      prompt: 'a photo of an old fishing boat in a harbour at dawn',
      negativePrompt: spec.guidance > 1 ? 'blurry, lowres' : undefined,
      seeds: [1000],
      steps: spec.steps,
      guidance: spec.guidance,
      scheduler: 'euler',
      width: spec.size,
      height: spec.size,
      initImage: undefined,
    },
    {
      signal: undefined,
      previews: spec.previews,
      onProgress: (progress: StepProgress) => {
        const read = progress.previewImage;
        if (spec.previews && read) previews.push(inPreview.run(true, () => read()));
      },
    },
  );
  await Promise.all(previews);
  const wallMs = performance.now() - generateStarted;
  clearInterval(timer);
  sample();
  const peakRss = mb(process.resourceUsage().maxRSS * 1024);
  await pipeline.release();

  const peakDuring = (start: number, end: number): number => mb(Math.max(0, ...samples.filter((entry) => entry.at >= start && entry.at <= end).map((entry) => entry.rss)));
  const phase = (list: Call[]): { ms: number; peakRssMb: number } => ({
    ms: round(list.reduce((total, call) => total + (call.end - call.start), 0)),
    peakRssMb: list.length === 0 ? 0 : peakDuring(Math.min(...list.map((call) => call.start)), Math.max(...list.map((call) => call.end))),
  });
  const unet = calls.filter((call) => call.part === 'unet');
  const callsPerStep = unet.length / spec.steps;
  const finalDecoder = spec.decoder === 'taesd' ? 'taesd_decoder' : 'vae_decoder';
  // The final decode: its decoder's runs outside previews (several tiles above the native size).
  const finalDecode = calls.filter((call) => call.part === finalDecoder && !call.preview);
  const previewRuns = calls.filter((call) => call.preview);
  const onnxMs = calls.reduce((total, call) => total + (call.end - call.start), 0);
  const figures = {
    decoder: spec.decoder,
    previews: spec.previews,
    sessionCreateMs: created,
    loadMs: round(loadMs),
    rssMb: {
      afterLoad: afterLoadRss,
      textEncode: phase(calls.filter((call) => call.part === 'text_encoder')).peakRssMb,
      unetSteps: Array.from({ length: spec.steps }, (_, step) => phase(unet.slice(step * callsPerStep, (step + 1) * callsPerStep)).peakRssMb),
      decode: phase(finalDecode).peakRssMb,
      previews: phase(previewRuns).peakRssMb,
      processPeak: peakRss,
    },
    ms: {
      textEncode: phase(calls.filter((call) => call.part === 'text_encoder')).ms,
      unetSteps: Array.from({ length: spec.steps }, (_, step) => phase(unet.slice(step * callsPerStep, (step + 1) * callsPerStep)).ms),
      decode: phase(finalDecode).ms,
      previews: phase(previewRuns).ms,
      previewRuns: previewRuns.length,
      onnxCalls: round(onnxMs),
      generateWall: round(wallMs),
      pipelineTotal: round(result.timings.totalMs),
    },
    unetCallsPerStep: callsPerStep,
    callsRatio: Number((wallMs / onnxMs).toFixed(3)),
    image: `${result.images[0]!.image.width}x${result.images[0]!.image.height}`,
    vae: result.vae ?? 'model',
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await main();
