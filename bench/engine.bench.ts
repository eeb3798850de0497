/**
 * Engine benchmark (`npm run bench -- engine`): where the time of a 512×512 SD1.5-shaped
 * generation goes. On the bench fixture model (77×768 context, 1×4×64×64 latents per image, a
 * UNet heavy enough that `session.run` dominates a step), for every scheduler at count 1 and 4
 * with classifier-free guidance: per-step wall time split into UNet `session.run` time and
 * everything else, text-encode / VAE-decode / PNG-encode times, event-loop delay while
 * generating, ArrayBuffer growth and GC per step. Model loading is measured separately. Then, on
 * `../shared/fixtures/models/sd15-topology/`, the engine's old and new CPU session settings side
 * by side (`engine-topology.ts`; skipped, visibly, without ../shared). Heavy: run it under
 * `flock /tmp/darkroom-heavy.lock` on a shared machine.
 * The peak RSS of the upscale path for 512², 1024² and 2048² results (`upscaleMemory`, each
 * upscale in its own process: `support/upscale-memory.ts`; alone: `npm run bench -- engine-upscale`).
 * Last, TAESD against the model's VAE at 512² and 768² (`engine-decoders.ts`; alone:
 * `npm run bench -- engine-decoders`).
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks';
import type { SchedulerName } from '../src/generation/engine.types.ts';
import type { ModelSession } from '../src/generation/onnx/index.ts';
import type { ModelPart } from '../src/generation/pipeline/pipeline-loader.ts';
import { StableDiffusionPipeline, type PipelineRequest } from '../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { ClipTokenizer } from '../src/generation/tokenizer/clip.tokenizer.ts';
import { encodePng } from '../src/images/index.ts';
import { buildBenchModel, DEFAULT_BENCH_OPTIONS } from '../test/fixtures/onnx/index.ts';
import { measureDecoders } from './engine-decoders.ts';
import { measureTopology } from './engine-topology.ts';
import { sharedPath } from '../test/support/shared-dir.ts';
import { measureUpscaleMemory } from './support/upscale-memory.ts';

const SCHEDULERS: readonly SchedulerName[] = ['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'lms', 'pndm', 'lcm'];
const COUNTS = [1, 4] as const;
const STEPS = 8;
const GUIDANCE = 7.5;
const SIZE = 512;
/** Event-loop delay sampling resolution (ms). */
const LOOP_RESOLUTION_MS = 2;
/** Issue 3's targets. */
const TARGET_OTHER_PCT = 2;
const TARGET_LOOP_P99_MS = 20;

interface RunRecord {
  part: ModelPart;
  start: number;
  ms: number;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Lets the event loop turn before a histogram is read: a block is recorded only when the
 * monitor's timer finally fires, which it cannot do while the awaiting code runs on.
 */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 3 * LOOP_RESOLUTION_MS));
}

function loopFigures(histogram: IntervalHistogram): { p50Ms: number; p99Ms: number; maxMs: number } {
  // The histogram records the whole interval (resolution included); subtract it to get the delay.
  const delay = (ns: number): number => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS));
  return { p50Ms: delay(histogram.percentile(50)), p99Ms: delay(histogram.percentile(99)), maxMs: delay(histogram.max) };
}

/** Records every `session.run` of every part (the pipeline's `sessionHook`). */
class SessionRecorder {
  readonly runs: RunRecord[] = [];

  hook = (part: ModelPart, session: ModelSession): ModelSession => {
    const runs = this.runs;
    return {
      path: session.path,
      provider: session.provider,
      inputs: session.inputs,
      outputs: session.outputs,
      hasInput: (name) => session.hasInput(name),
      async run(feeds, outputNames) {
        const start = performance.now();
        try {
          return await session.run(feeds, outputNames);
        } finally {
          runs.push({ part, start, ms: performance.now() - start });
        }
      },
      release: () => session.release(),
    };
  };

  since(index: number, part: ModelPart): RunRecord[] {
    return this.runs.slice(index).filter((run) => run.part === part);
  }
}

/** GC pauses (start time and duration) seen by a PerformanceObserver between start() and stop(). */
class GcRecorder {
  readonly pauses: Array<{ start: number; ms: number }> = [];
  readonly #observer = new PerformanceObserver((list) => this.#record(list.getEntries()));

  #record(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) this.pauses.push({ start: entry.startTime, ms: entry.duration });
  }

  start(): void {
    this.pauses.length = 0;
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): { count: number; totalMs: number; maxMs: number } {
    // Entries not yet delivered to the callback would be lost by disconnect().
    this.#record(this.#observer.takeRecords());
    this.#observer.disconnect();
    const durations = this.pauses.map((pause) => pause.ms);
    return { count: durations.length, totalMs: round(sum(durations)), maxMs: round(Math.max(0, ...durations)) };
  }

  /** GC time that started within [from, to). */
  within(from: number, to: number): number {
    return sum(this.pauses.filter((pause) => pause.start >= from && pause.start < to).map((pause) => pause.ms));
  }
}

async function measureLoad(dir: string, recorder: SessionRecorder): Promise<{ pipeline: StableDiffusionPipeline; figures: object }> {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  histogram.enable();
  const started = performance.now();
  const pipeline = await StableDiffusionPipeline.load(dir, {
    provider: 'cpu',
    threads: undefined,
    logger: undefined,
    cfgBatching: 'batched',
    catalogFamily: undefined,
    sessionHook: recorder.hook,
  });
  const totalMs = performance.now() - started;
  await settle();
  histogram.disable();

  // The tokenizer alone (vocab.json + merges.txt parse), which runs on the event loop.
  const tokenizerLoop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  tokenizerLoop.enable();
  const tokenizerStarted = performance.now();
  await ClipTokenizer.fromDirectory(path.join(dir, 'tokenizer'));
  const tokenizerMs = performance.now() - tokenizerStarted;
  await settle();
  tokenizerLoop.disable();
  return {
    pipeline,
    figures: {
      totalMs: round(totalMs),
      eventLoop: loopFigures(histogram),
      tokenizer: { ms: round(tokenizerMs), eventLoop: loopFigures(tokenizerLoop) },
    },
  };
}

function request(scheduler: SchedulerName, count: number, steps: number): PipelineRequest {
  return {
    prompt: 'a photo of an old fishing boat in a harbour at dawn, 35mm, film grain',
    negativePrompt: 'blurry, lowres, cartoon',
    seeds: Array.from({ length: count }, (_, index) => 1000 + index),
    steps,
    guidance: GUIDANCE,
    scheduler,
    width: SIZE,
    height: SIZE,
    initImage: undefined,
  };
}

async function measureGeneration(pipeline: StableDiffusionPipeline, recorder: SessionRecorder, scheduler: SchedulerName, count: number): Promise<object> {
  const firstRun = recorder.runs.length;
  const progressAt: number[] = [];
  const arrayBuffers: number[] = [];
  /** Time spent in this benchmark's own probes inside a step (memory sampling), excluded from the step. */
  const probeMs: number[] = [];
  const gc = new GcRecorder();
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  arrayBuffers.push(process.memoryUsage().arrayBuffers);
  gc.start();
  histogram.enable();
  const generationStarted = performance.now();
  const result = await pipeline.generate(request(scheduler, count, STEPS), {
    signal: undefined,
    previews: true,
    onProgress: () => {
      const at = performance.now();
      progressAt.push(at);
      arrayBuffers.push(process.memoryUsage().arrayBuffers);
      probeMs.push(performance.now() - at);
    },
  });
  await settle();
  histogram.disable();
  const gcFigures = gc.stop();

  const pngStarted = performance.now();
  for (const image of result.images) await encodePng(image.image, `bench, Steps: ${STEPS}, Seed: ${image.seed}`);
  const pngMs = (performance.now() - pngStarted) / result.images.length;

  const unetRuns = recorder.since(firstRun, 'unet');
  const steps = result.timings.stepMs.map((wallWithProbe, index) => {
    // the probe of step i−1 runs at the start of step i's interval
    const wall = wallWithProbe - (index > 0 ? (probeMs[index - 1] ?? 0) : 0);
    const stepEnd = progressAt[index] ?? Infinity;
    const stepStart = index > 0 ? (progressAt[index - 1] ?? 0) : generationStarted;
    const run = sum(unetRuns.filter((entry) => entry.start >= stepStart && entry.start < stepEnd).map((entry) => entry.ms));
    // GC pauses are part of "other" (main-thread time), listed to explain spikes.
    return { wallMs: round(wall), unetRunMs: round(run), otherMs: round(wall - run), gcMs: round(gc.within(stepStart, stepEnd)) };
  });
  const wallTotal = sum(steps.map((step) => step.wallMs));
  const otherTotal = sum(steps.map((step) => step.otherMs));
  const growth = arrayBuffers.slice(1).map((value, index) => value - arrayBuffers[index]!);
  const vaeRuns = recorder.since(firstRun, 'vae_decoder').map((run) => run.ms);
  const textRuns = recorder.since(firstRun, 'text_encoder').map((run) => run.ms);
  const figures = {
    scheduler,
    count,
    steps: steps.length,
    unetBatch: 2 * count,
    step: {
      wallMsMedian: round(quantile(steps.map((step) => step.wallMs), 0.5)),
      unetRunMsMedian: round(quantile(steps.map((step) => step.unetRunMs), 0.5)),
      otherMsMedian: round(quantile(steps.map((step) => step.otherMs), 0.5)),
      otherMsMax: round(Math.max(...steps.map((step) => step.otherMs))),
      otherPctOfTotal: round((100 * otherTotal) / wallTotal),
      /** The same ratio from median steps: what a step costs without the machine's hiccups. */
      otherPctOfMedianStep: round((100 * quantile(steps.map((step) => step.otherMs), 0.5)) / quantile(steps.map((step) => step.wallMs), 0.5)),
      perStep: steps,
    },
    textEncodeMs: round(result.timings.textEncodeMs),
    textEncoderRunMs: round(sum(textRuns)),
    decodeMsPerImage: round(result.timings.decodeMs / count),
    vaeDecoderRunMsPerImage: round(sum(vaeRuns) / Math.max(1, vaeRuns.length)),
    pngEncodeMsPerImage: round(pngMs),
    eventLoop: loopFigures(histogram),
    memory: {
      latentBytes: 4 * 4 * 64 * 64 * count,
      // The first step allocates the buffers every later step reuses (scheduler rings, feed buffers).
      arrayBufferGrowthBytes: {
        firstStep: growth[0] ?? 0,
        laterStepsMedian: quantile(growth.slice(1), 0.5),
        laterStepsMax: Math.max(0, ...growth.slice(1)),
      },
      gc: gcFigures,
    },
  };
  process.stderr.write(`  ${scheduler} ×${count}: step ${figures.step.wallMsMedian} ms, other ${figures.step.otherPctOfTotal}%, loop p99 ${figures.eventLoop.p99Ms} ms\n`);
  return figures;
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'darkroom-bench-'));
  try {
    // The real CLIP vocab when shared/ is present (its parse time is part of loading); the UNet is
    // DEFAULT_BENCH_OPTIONS' either way.
    const vocabFrom = sharedPath('ref', 'clip');
    const dir = await buildBenchModel(path.join(root, 'model'), { ...DEFAULT_BENCH_OPTIONS, vocabFrom });
    const recorder = new SessionRecorder();
    const { pipeline, figures: load } = await measureLoad(dir, recorder);
    process.stderr.write(`  loaded in ${(load as { totalMs: number }).totalMs} ms; warming up\n`);
    // Warm-up through the same code paths as the measured runs (a progress callback included:
    // the first call of a path never taken before costs a deoptimisation inside a step).
    const warmUp = { signal: undefined, previews: true, onProgress: () => void process.memoryUsage() };
    for (const scheduler of SCHEDULERS) await pipeline.generate(request(scheduler, 1, STEPS), warmUp);
    await pipeline.generate(request('euler', 4, 2), warmUp);
    const loadAverageBefore = os.loadavg();
    const runs: Array<Record<string, unknown>> = [];
    for (const scheduler of SCHEDULERS) {
      for (const count of COUNTS) runs.push((await measureGeneration(pipeline, recorder, scheduler, count)) as Record<string, unknown>);
    }
    await pipeline.release();
    // Issue 9: the upscale path's peak RSS per result size (each upscale in a child process).
    const upscaleMemory = await measureUpscaleMemory({ projectDir: undefined, capGiB: 16 });
    // Issues 12/16: old vs new session settings on the SD1.5 topology (peak RSS, per-call and session-creation times).
    const sd15Topology = await measureTopology();
    // Issue 12: TAESD vs the model's VAE, per-phase RSS at 512² and 768² (each variant in a child process).
    const decoders = await measureDecoders();

    const otherPcts = runs.map((run) => (run['step'] as { otherPctOfTotal: number }).otherPctOfTotal);
    const loopP99s = runs.map((run) => (run['eventLoop'] as { p99Ms: number }).p99Ms);
    const figures = {
      notes: [
        'unetRunMs = ModelSession.run as the pipeline awaits it (sessionHook): the ONNX run in the session-host worker plus feed copies and messaging (≈0.1 ms)',
        'otherMs = step wall time (pipeline stepMs, from the progress callback timestamps) − unetRunMs, minus this benchmark\'s own per-step memory probe',
        'eventLoop = perf_hooks.monitorEventLoopDelay while generating (model load excluded), resolution subtracted',
        'load.tokenizer = ClipTokenizer.fromDirectory alone; its vocab/merges parse runs on the event loop (ONNX session creation runs in the worker)',
        'arrayBufferGrowthBytes = process.memoryUsage().arrayBuffers deltas between progress callbacks (GC can make them negative); the first step allocates the buffers later steps reuse',
        'perStep[].gcMs = duration of GC events that started in the step; it includes concurrent GC phases off the main thread, so it can exceed otherMs',
        'otherPctOfMedianStep = median otherMs / median wallMs: the per-step cost without one-off hiccups (this is a shared machine; see loadAverage)',
      ],
      node: process.version,
      cpus: os.availableParallelism(),
      loadAverage: { before: loadAverageBefore.map((value) => round(value)), after: os.loadavg().map((value) => round(value)) },
      model: {
        image: `${SIZE}x${SIZE}`,
        latents: [1, 4, SIZE / 8, SIZE / 8],
        context: [77, 768],
        unet: { channels: DEFAULT_BENCH_OPTIONS.unetChannels, layers: DEFAULT_BENCH_OPTIONS.unetLayers },
        vocab: vocabFrom ? 'clip (shared/ref/clip)' : 'tiny fixture vocab',
        guidance: GUIDANCE,
        steps: STEPS,
        previews: true,
      },
      load,
      runs,
      upscaleMemory,
      sd15Topology,
      decoders,
      summary: {
        otherPctOfTotalMax: Math.max(...otherPcts),
        otherPctOfMedianStepMax: Math.max(...runs.map((run) => (run['step'] as { otherPctOfMedianStep: number }).otherPctOfMedianStep)),
        meetsOtherTarget: otherPcts.every((pct) => pct <= TARGET_OTHER_PCT),
        eventLoopP99MsMax: Math.max(...loopP99s),
        meetsEventLoopTarget: loopP99s.every((p99) => p99 < TARGET_LOOP_P99_MS),
        targets: { otherPctOfTotal: TARGET_OTHER_PCT, eventLoopP99Ms: TARGET_LOOP_P99_MS },
      },
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
