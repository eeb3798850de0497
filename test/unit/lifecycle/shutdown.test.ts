import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { StopHook } from '../../../src/lifecycle/shutdown.ts';
import { ShutdownSequence, listenForShutdownSignals } from '../../../src/lifecycle/shutdown.ts';
import { silentLogger } from '../../../src/logging/logger.ts';

function sequence(graceMs = 50, abortWaitMs = 50): ShutdownSequence {
  return new ShutdownSequence({ logger: silentLogger(), graceMs, abortWaitMs });
}

const never = new Promise<void>(() => {});

describe('ShutdownSequence', () => {
  it('stops parts in reverse order of registration', async () => {
    const order: string[] = [];
    const shutdown = sequence();
    for (const name of ['database', 'queue', 'discord']) {
      shutdown.add(name, async () => {
        order.push(name);
      });
    }
    const outcomes = await shutdown.run();
    expect(order).toEqual(['discord', 'queue', 'database']);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('lets running work finish within the grace period without aborting it', async () => {
    // A grace period no loaded machine can overrun, and work that ends a few event-loop turns
    // later: the outcome does not depend on timing.
    const shutdown = sequence(60_000);
    let aborted = false;
    shutdown.add('queue', async (deadline) => {
      deadline.addEventListener('abort', () => (aborted = true));
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    });
    const [outcome] = await shutdown.run();
    expect(outcome?.result).toBe('stopped');
    expect(aborted).toBe(false);
  });

  it('aborts work that outlives the grace period, then carries on', async () => {
    const shutdown = sequence(20, 1_000);
    const order: string[] = [];
    shutdown.add('database', async () => {
      order.push('database');
    });
    shutdown.add('engine', (deadline) => new Promise<void>((resolve) => deadline.addEventListener('abort', () => resolve())));
    const outcomes = await shutdown.run();
    expect(outcomes.map((outcome) => [outcome.name, outcome.result])).toEqual([
      ['engine', 'aborted'],
      ['database', 'stopped'],
    ]);
    expect(order).toEqual(['database']);
  });

  it('leaves behind a hook that never returns, and one that throws, and still stops the rest', async () => {
    const shutdown = sequence(10, 10);
    const closed = vi.fn<StopHook>(async () => {});
    shutdown.add('database', closed);
    shutdown.add('broken', async () => {
      throw new Error('boom');
    });
    shutdown.add('stuck', () => never);
    const outcomes = await shutdown.run();
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['abandoned', 'failed', 'stopped']);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('runs once, however many times it is asked', async () => {
    const shutdown = sequence();
    const hook = vi.fn<StopHook>(async () => {});
    shutdown.add('database', hook);
    const [first, second] = await Promise.all([shutdown.run(), shutdown.run()]);
    expect(first).toBe(second);
    expect(hook).toHaveBeenCalledTimes(1);
    expect(() => shutdown.add('late', hook)).toThrow(/already started/);
  });
});

describe('listenForShutdownSignals', () => {
  it('asks for a graceful stop on the first signal and forces on the second', () => {
    const source = new EventEmitter();
    const onShutdown = vi.fn();
    const onForce = vi.fn();
    const stop = listenForShutdownSignals({ source, signals: ['SIGINT', 'SIGTERM'], onShutdown, onForce });
    source.emit('SIGTERM', 'SIGTERM');
    expect(onShutdown).toHaveBeenCalledWith('SIGTERM');
    expect(onForce).not.toHaveBeenCalled();
    source.emit('SIGINT', 'SIGINT');
    expect(onForce).toHaveBeenCalledWith('SIGINT');
    stop();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
