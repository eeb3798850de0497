/** The configuration sections a cluster test process needs (worker children and the in-test bot alike). */
import type { DarkroomConfig } from '../../../../src/config/config.types.ts';
import type { ClusterTiming } from '../../../../src/generation/cluster/bullmq.generation-queue.ts';

/** Short heartbeats and expiries, still generous for a loaded 2-core machine. */
export const TEST_TIMING: ClusterTiming = { heartbeatMs: 500, workerTtlMs: 4_000, dispatchEveryMs: 300, jobLockMs: 5_000 };

export function clusterTestConfig(redisUrl: string, prefix: string): Pick<DarkroomConfig, 'queue' | 'limits' | 'moderation' | 'engine' | 'generation'> {
  return {
    queue: {
      backend: 'redis',
      redis: { url: redisUrl, prefix },
      concurrency: 1,
      perUserQueued: 20,
      globalQueued: 200,
      rateLimit: { intervalMs: 60_000, intervalCap: 10_000 },
      quotas: { default: { perHour: null, perDay: null }, roles: {} },
    },
    limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
    moderation: { blockedTerms: [], moderatorRoleIds: [], moderatorUserIds: [], nsfw: 'blur', slackNsfwChannels: [] },
    // The service reads only `previews` of the engine section.
    engine: { previews: false } as unknown as DarkroomConfig['engine'],
    generation: { imagesPerJob: 1 },
  };
}
