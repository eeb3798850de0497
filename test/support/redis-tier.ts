/**
 * Whether the Redis tier of the cluster tests runs: REDIS_URL_TEST (`off` skips), else the local
 * server at 127.0.0.1:6379 when it answers a PING within a few seconds. Tests skip with the
 * reason in their title when it does not.
 */
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_TEST_URL = 'redis://127.0.0.1:6379';

/** The URL to use, or why the tier is skipped. */
export async function redisTier(): Promise<{ url: string; skipReason: string }> {
  const configured = process.env['REDIS_URL_TEST'];
  if (configured === 'off') return { url: '', skipReason: ' [skipped: REDIS_URL_TEST=off]' };
  const url = configured ?? DEFAULT_REDIS_TEST_URL;
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The failure is reported by connect(); without a listener ioredis would also print it.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { url, skipReason: '' };
  } catch (error) {
    return { url: '', skipReason: ` [skipped: no Redis at ${url} (${error instanceof Error ? error.message : String(error)}); set REDIS_URL_TEST]` };
  } finally {
    redis.disconnect();
  }
}
