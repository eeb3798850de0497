/**
 * One measured generation on the sd15-topology fixture with one set of session settings, in a
 * process of its own (peak RSS is per process and never goes down, so each variant needs a fresh
 * one). Run by `engine-topology.ts`: argument 1 is a JSON {@link ProbeSpec}; prints one JSON
 * object on stdout.
 */
import pino from 'pino';
import type { ModelSession, SessionTuningOptions } from '../src/generation/onnx/index.ts';
import type { ModelPart } from '../src/generation/pipeline/pipeline-loader.ts';
import { StableDiffusionPipeline } from '../src/generation/pipeline/stable-diffusion.pipeline.ts';
import type { CfgBatching } from '../src/generation/pipeline/unet-runner.ts';

/** What one probe runs. */
export interface ProbeSpec {
  dir: string;
  cacheDir: string;
  tuning: Partial<SessionTuningOptions>;
  cfgBatching: CfgBatching;
  steps: number;
  size: number;
  threads: number | undefined;
}

const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
/** CPU time of the whole process (every thread) since `since`, in ms: on a loaded machine it varies far less than wall time. */
const cpuMsSince = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const round = (value: number): number => Math.round(value);

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ProbeSpec;
  const created: Array<{ part: string; ms: number; optimizedGraph: unknown; rewritten: unknown }> = [];
  const logger = pino({ level: 'debug' }, {
    write: (line: string) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry['msg'] !== 'onnx.session.created') return;
      const part = String(entry['model']).split('/').at(-2) ?? '?';
      created.push({ part, ms: Number(entry['ms']), optimizedGraph: entry['optimizedGraph'], rewritten: entry['rewritten'] });
    },
  });
  const runs: Array<{ part: ModelPart; ms: number; cpuMs: number; batch: number }> = [];
  // Sessions open one after the other and the hook sees each right after it opened: CPU time
  // between hook calls is that part's creation (with its rewrite and optimised-graph save/load).
  const createCpuMs: Record<string, number> = {};
  let lastOpened = process.cpuUsage();
  const hook = (part: ModelPart, session: ModelSession): ModelSession => {
    createCpuMs[part] = Math.round(cpuMsSince(lastOpened));
    lastOpened = process.cpuUsage();
    return timed(part, session);
  };
  const timed = (part: ModelPart, session: ModelSession): ModelSession => ({
    path: session.path,
    provider: session.provider,
    inputs: session.inputs,
    outputs: session.outputs,
    hasInput: (name) => session.hasInput(name),
    async run(feeds, outputNames) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      try {
        return await session.run(feeds, outputNames);
      } finally {
        const first = Object.values(feeds)[0];
        runs.push({ part, ms: performance.now() - started, cpuMs: cpuMsSince(cpu), batch: first?.dims[0] ?? 0 });
      }
    },
    release: () => session.release(),
  });

  const baseRss = peakRssMb();
  const loadStarted = performance.now();
  lastOpened = process.cpuUsage();
  const pipeline = await StableDiffusionPipeline.load(spec.dir, {
    provider: 'cpu',
    threads: spec.threads,
    logger,
    cfgBatching: spec.cfgBatching,
    catalogFamily: undefined,
    sessionHook: hook,
    modelCacheDir: spec.cacheDir,
    sessionTuning: spec.tuning,
  });
  const loadMs = performance.now() - loadStarted;
  const afterLoadRss = peakRssMb();
  const stepPeaks: number[] = [];
  const result = await pipeline.generate(
    {
      prompt: 'a photo of an old fishing boat in a harbour at dawn',
      negativePrompt: 'blurry, lowres',
      seeds: [1000],
      steps: spec.steps,
      guidance: 7.5,
      scheduler: 'euler',
      width: spec.size,
      height: spec.size,
      initImage: undefined,
    },
    { signal: undefined, previews: false, onProgress: () => void stepPeaks.push(peakRssMb()) },
  );
  const peakRss = peakRssMb();
  await pipeline.release();

  const unet = runs.filter((run) => run.part === 'unet');
  const callsPerStep = unet.length / spec.steps;
  const stepUnetMs = Array.from({ length: spec.steps }, (_, step) =>
    round(unet.slice(step * callsPerStep, (step + 1) * callsPerStep).reduce((total, run) => total + run.ms, 0)),
  );
  const onnxMs = runs.reduce((total, run) => total + run.ms, 0);
  const figures = {
    sessionCreateMs: Object.fromEntries(created.map((entry) => [entry.part, round(entry.ms)])),
    sessionCreateCpuMs: createCpuMs,
    optimizedGraph: Object.fromEntries(created.map((entry) => [entry.part, entry.optimizedGraph])),
    rewritten: Object.fromEntries(created.map((entry) => [entry.part, entry.rewritten])),
    loadMs: round(loadMs),
    unetCallBatch: unet[0]?.batch,
    unetCallsPerStep: callsPerStep,
    unetCallMs: unet.map((run) => round(run.ms)),
    unetCallCpuMs: unet.map((run) => round(run.cpuMs)),
    vaeDecodeCpuMs: runs.filter((run) => run.part === 'vae_decoder').map((run) => round(run.cpuMs)),
    stepUnetMs,
    textEncodeMs: round(result.timings.textEncodeMs),
    decodeMs: round(result.timings.decodeMs),
    generateWallMs: round(result.timings.totalMs),
    onnxCallsMs: round(onnxMs),
    rssMb: { start: baseRss, afterLoad: afterLoadRss, peakAfterStep: stepPeaks, peak: peakRss },
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await main();
