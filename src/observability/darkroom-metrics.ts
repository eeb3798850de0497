/**
 * Darkroom's Prometheus metrics: one registry per process (not prom-client's global one, so a
 * test can build as many as it likes), the process metrics prom-client collects by default
 * (memory, CPU, event-loop lag, handles), and the few recording methods the rest of this folder
 * calls. The only importer of prom-client.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds, from a fast CPU step (0.05 s) to a slow model load or a 2048² upscale (10 min). */
const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Queue waits: a few seconds on an idle bot to an hour on a busy CPU one. */
const WAIT_BUCKETS = [0.1, 1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600];

/** Where a refusal happened: a request refused at once, or a job that ended with a refusal code. */
export type RefusalStage = 'request' | 'job';
/** How a job's life is counted. */
export type JobOutcome = 'queued' | 'started' | 'succeeded' | 'failed' | 'cancelled';

/** What the queue gauge reads at each scrape. */
export interface QueueDepthSource {
  stats(): Promise<{ waiting: number; running: number }>;
}

/** Times the engine measured for one result. */
export interface EngineRunTimings {
  operation: 'generate' | 'upscale' | 'edit';
  totalMs: number;
  decodeMs: number;
  stepMs: readonly number[];
  images: number;
}

export class DarkroomMetrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  #queue: QueueDepthSource | undefined;

  readonly #jobs = new Counter({
    name: 'darkroom_jobs_total',
    help: 'Jobs by what happened to them (queued, started, succeeded, failed, cancelled) and kind',
    labelNames: ['status', 'kind'] as const,
    registers: [this.registry],
  });
  readonly #refusals = new Counter({
    name: 'darkroom_refusals_total',
    help: 'Refusals by stable code; stage=request for a request refused at once, job for a job that ended with one',
    labelNames: ['code', 'stage'] as const,
    registers: [this.registry],
  });
  readonly #queueWait = new Histogram({
    name: 'darkroom_queue_wait_seconds',
    help: 'Time from a job being queued to it starting',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly #step = new Histogram({
    name: 'darkroom_step_seconds',
    help: 'Time of one denoising step (all images of the job)',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly #image = new Histogram({
    name: 'darkroom_image_seconds',
    help: 'Engine time per image (a job\'s engine time divided by its images)',
    labelNames: ['operation'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly #decode = new Histogram({
    name: 'darkroom_decode_seconds',
    help: 'VAE decode time of one job',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly #modelLoad = new Histogram({
    name: 'darkroom_model_load_seconds',
    help: 'Time to load a model\'s ONNX sessions',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly #chatErrors = new Counter({
    name: 'darkroom_chat_api_errors_total',
    help: 'Chat API answers that were errors, by platform and HTTP status (429 = rate limited) or Slack error code',
    labelNames: ['platform', 'status'] as const,
    registers: [this.registry],
  });
  readonly #chatRateLimits = new Counter({
    name: 'darkroom_chat_rate_limited_total',
    help: 'Chat API calls the platform rate-limited (429)',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'darkroom_' });
    const queueStats = async () => this.#queue?.stats();
    new Gauge({
      name: 'darkroom_queue_jobs',
      help: 'Jobs in this process\'s queue now, waiting or running',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const stats = await queueStats();
        this.set({ state: 'waiting' }, stats?.waiting ?? 0);
        this.set({ state: 'running' }, stats?.running ?? 0);
      },
    });
  }

  /** The queue whose depth `darkroom_queue_jobs` reports at each scrape. */
  watchQueue(queue: QueueDepthSource): void {
    this.#queue = queue;
  }

  job(outcome: JobOutcome, kind: string): void {
    this.#jobs.inc({ status: outcome, kind });
  }

  queueWait(ms: number): void {
    this.#queueWait.observe(Math.max(0, ms) / 1000);
  }

  refusal(code: string, stage: RefusalStage): void {
    this.#refusals.inc({ code, stage });
  }

  engineRun(timings: EngineRunTimings): void {
    for (const ms of timings.stepMs) this.#step.observe(ms / 1000);
    if (timings.images > 0) this.#image.observe({ operation: timings.operation }, timings.totalMs / timings.images / 1000);
    if (timings.decodeMs > 0) this.#decode.observe(timings.decodeMs / 1000);
  }

  modelLoaded(ms: number): void {
    this.#modelLoad.observe(ms / 1000);
  }

  /** One chat API answer with an error status or Slack error code; a 429 also counts as rate limited. */
  chatApiError(platform: string, status: number | string): void {
    this.#chatErrors.inc({ platform, status: String(status) });
    if (status === 429 || status === 'ratelimited') this.#chatRateLimits.inc({ platform });
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
