/** Health checks, Prometheus metrics and job activity logs (see observability.ts). */
export type { ChatApiObserver } from './chat-api-observer.ts';
export { DarkroomMetrics } from './darkroom-metrics.ts';
export { HealthServer, READINESS_TIMEOUT_MS } from './health-server.ts';
export { JobActivityLog } from './job-activity.log.ts';
export { JobMetricsListener } from './job-metrics.listener.ts';
export { MeteredEngine } from './metered-engine.ts';
export { Observability, PROGRESS_LOG_EVERY_STEPS } from './observability.ts';
export { assessChecks, type ReadinessCheck, type ReadinessReport } from './readiness-checks.ts';
