/**
 * A lock in Redis with an owner token and an expiry, so a process that dies holding it only
 * blocks the others until it expires. Used for the dispatcher's leadership and for admission.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** Takes the lock when free, or extends it when `token` already holds it. 1 = held by `token`. */
const TAKE_OR_EXTEND = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
/** Deletes the lock only if `token` holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisLock {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** A new holder token. */
  static token(): string {
    return randomBytes(8).toString('hex');
  }

  /** True when `token` holds the lock now (taken or extended). */
  async tryHold(token: string): Promise<boolean> {
    return (await this.redis.eval(TAKE_OR_EXTEND, 1, this.key, token, String(this.ttlMs))) === 1;
  }

  /** Waits for the lock up to `waitMs`; false when it stayed taken. */
  async acquire(token: string, waitMs: number): Promise<boolean> {
    const giveUpAt = Date.now() + waitMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      if (await this.tryHold(token)) return true;
      if (Date.now() >= giveUpAt) return false;
      await sleep(pause);
    }
  }

  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, token);
  }
}
