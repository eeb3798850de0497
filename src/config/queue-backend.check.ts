/**
 * The queue backend's cross-checks: the Redis queue is for several processes, which cannot
 * share the embedded database, and it needs to know where Redis is.
 */
import type { ConfigProblem } from './config.types.ts';
import type { FileConfig } from './config.schema.ts';

/** Problems of `queue.backend: redis` with the rest of the file options (none for `memory`). */
export function crossCheckQueueBackend(file: Pick<FileConfig, 'queue' | 'database'>, source: (path: readonly string[]) => string): ConfigProblem[] {
  if (file.queue.backend !== 'redis') return [];
  const problems: ConfigProblem[] = [];
  if (file.database.url === null) {
    problems.push({
      path: 'queue.backend',
      message:
        'redis needs a PostgreSQL server (set DATABASE_URL): bot and worker processes share the job rows, and the embedded database serves one process only',
      source: source(['queue', 'backend']),
    });
  }
  if (file.queue.redis.url === null) {
    problems.push({ path: 'REDIS_URL', message: 'is required because queue.backend is redis (e.g. redis://127.0.0.1:6379)', source: 'environment' });
  }
  return problems;
}
