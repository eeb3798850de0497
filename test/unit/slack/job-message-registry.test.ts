import { describe, expect, it } from 'vitest';
import { JobMessageRegistry } from '../../../src/bots/slack/job-message-registry.ts';

const ref = (ts: string) => ({ channel: 'C1', ts, threadTs: undefined });

describe('JobMessageRegistry', () => {
  it('knows the status message and each copy once, adds a pressed message it does not know, and forgets the oldest jobs', () => {
    const registry = new JobMessageRegistry(2);
    registry.original('a', ref('1.0'));
    registry.copy('a', ref('2.0'));
    registry.copy('a', ref('2.0'));
    expect(registry.messages('a', undefined)).toEqual([ref('1.0'), ref('2.0')]);
    expect(registry.messages('a', ref('2.0'))).toEqual([ref('1.0'), ref('2.0')]);
    expect(registry.messages('a', ref('3.0'))).toEqual([ref('1.0'), ref('2.0'), ref('3.0')]);
    expect(registry.copies('a')).toEqual([ref('2.0')]);
    registry.copy('b', ref('4.0'));
    registry.copy('c', ref('5.0'));
    expect(registry.size).toBe(2);
    expect(registry.messages('a', undefined)).toEqual([]);
  });
});
