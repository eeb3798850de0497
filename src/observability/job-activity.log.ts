/**
 * Log lines about running jobs that the service's own lines leave out: an info line every
 * `everySteps` steps of a long job (progress events arrive throttled, so a line is written
 * when a multiple of `everySteps` has been passed), and, at shutdown, which jobs the process is
 * waiting for. Fed by the service's lifecycle events.
 */
import type { Logger } from 'pino';
import type { GenerationEvents, JobEvent } from '../generation/jobs/job.types.ts';

interface RunningJob {
  startedAt: number;
  step: number;
  totalSteps: number;
  /** Steps / everySteps already logged. */
  logged: number;
}

export class JobActivityLog implements GenerationEvents {
  readonly #running = new Map<string, RunningJob>();

  constructor(
    private readonly options: { logger: Logger; everySteps: number; now: () => number },
  ) {}

  /** Ids of the jobs running now, oldest first. */
  get runningJobIds(): string[] {
    return [...this.#running.keys()];
  }

  /** One "waiting for job X" line per running job; the shutdown sequence calls it before stopping the service. */
  logWaiting(logger: Logger): void {
    for (const [jobId, job] of this.#running) {
      const runningMs = this.options.now() - job.startedAt;
      logger.info({ jobId, step: job.step, totalSteps: job.totalSteps, runningMs }, `waiting for job ${jobId}`);
    }
  }

  queued: GenerationEvents['queued'] = () => undefined;

  started: GenerationEvents['started'] = (event) => {
    this.#running.set(event.generation.id, { startedAt: this.options.now(), step: 0, totalSteps: event.generation.steps, logged: 0 });
  };

  progress: GenerationEvents['progress'] = (event) => {
    const job = this.#running.get(event.generation.id);
    if (job === undefined) return;
    job.step = event.step;
    job.totalSteps = event.totalSteps;
    const reached = Math.floor(event.step / this.options.everySteps);
    if (reached <= job.logged || event.step >= event.totalSteps) return;
    job.logged = reached;
    const elapsedMs = this.options.now() - job.startedAt;
    this.options.logger.info(
      { jobId: event.generation.id, step: event.step, totalSteps: event.totalSteps, elapsedMs, etaMs: Math.round(event.etaMs) },
      'job.progress',
    );
  };

  finished: GenerationEvents['finished'] = (event) => this.#ended(event);
  failed: GenerationEvents['failed'] = (event) => this.#ended(event);
  cancelled: GenerationEvents['cancelled'] = (event) => this.#ended(event);

  #ended(event: JobEvent): void {
    this.#running.delete(event.generation.id);
  }
}
