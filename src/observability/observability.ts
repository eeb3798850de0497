/**
 * Everything the composition root needs for health and metrics, in one place: the metrics, the
 * listeners that feed them from the service's lifecycle events, the chat API observers, the
 * engine decorator, the readiness state of the engine, and the HTTP server when `metrics.port`
 * is set.
 */
import type { Logger } from 'pino';
import type { MetricsConfig } from '../config/config.types.ts';
import type { ImageEngine } from '../generation/engine.types.ts';
import type { Service } from '../lifecycle/services.ts';
import type { RefusalCode } from '../generation/requests/refusal.ts';
import type { ChatApiObserver } from './chat-api-observer.ts';
import { DarkroomMetrics } from './darkroom-metrics.ts';
import { HealthServer, READINESS_TIMEOUT_MS } from './health-server.ts';
import { JobActivityLog } from './job-activity.log.ts';
import { JobMetricsListener } from './job-metrics.listener.ts';
import { MeteredEngine } from './metered-engine.ts';
import type { ReadinessCheck } from './readiness-checks.ts';

/** A long job writes an info line each time it passes a multiple of this many steps. */
export const PROGRESS_LOG_EVERY_STEPS = 10;

export interface ObservabilityOptions {
  config: MetricsConfig;
  logger: Logger;
  /** Epoch milliseconds. */
  now: () => number;
}

export class Observability {
  readonly metrics = new DarkroomMetrics();
  readonly jobMetrics: JobMetricsListener;
  readonly activity: JobActivityLog;
  /** What `/readyz` checks; the composition root adds each part as it builds it. */
  readonly checks: ReadinessCheck[] = [];
  #server: HealthServer | undefined;
  #modelLoaded = false;

  constructor(private readonly options: ObservabilityOptions) {
    this.jobMetrics = new JobMetricsListener(this.metrics, options.now);
    this.activity = new JobActivityLog({ logger: options.logger.child({ component: 'jobs' }), everySteps: PROGRESS_LOG_EVERY_STEPS, now: options.now });
  }

  /** The engine's load hook: records the load time and marks the engine ready. */
  readonly pipelineLoaded = (_model: string, ms: number): void => {
    this.#modelLoaded = true;
    this.metrics.modelLoaded(ms);
  };

  /** The engine readiness check: ready once a model has loaded (the default model's warm-up, or a job). */
  readonly engineCheck: ReadinessCheck = {
    name: 'engine',
    check: () => (this.#modelLoaded ? undefined : 'the default model has not loaded yet (loading, or its warm-up failed: see the log)'),
  };

  /** Counts command refusals by code (CommandServices.refusals). */
  readonly refusals = { refused: (code: RefusalCode): void => this.metrics.refusal(code, 'request') };

  /** The observer a chat adapter reports its API errors and 429s to. */
  chatObserver(platform: 'discord' | 'slack'): ChatApiObserver {
    return { apiError: (status) => this.metrics.chatApiError(platform, status) };
  }

  /**
   * The generation service, whose stop first logs "waiting for job X" for each job still
   * running, so an operator watching a slow shutdown knows what it waits for.
   */
  announcingWaits(service: Service, logger: Logger): Service {
    return {
      name: service.name,
      start: () => service.start(),
      stop: (deadline) => {
        this.activity.logWaiting(logger);
        return service.stop(deadline);
      },
    };
  }

  /** `engine` with its timings recorded. */
  meter(engine: ImageEngine): ImageEngine {
    return new MeteredEngine(engine, this.metrics);
  }

  /** Starts the HTTP server when `metrics.port` is set; resolves with its port (undefined = off). */
  async listen(): Promise<number | undefined> {
    const { config, logger } = this.options;
    if (config.port === 0) return undefined;
    this.#server = new HealthServer({ metrics: this.metrics, checks: this.checks, logger: logger.child({ component: 'health' }), readinessTimeoutMs: READINESS_TIMEOUT_MS });
    return this.#server.listen(config.port, config.host);
  }

  async close(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
  }
}
