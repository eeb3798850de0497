/**
 * When may a process take a running job whose lease has not expired? Only when its owner is a
 * process of this host that is gone: after a kill -9 and a restart (often with the very same
 * pid in a container), recovery must not wait for the lease to run out.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { newProcessOwnerId, ownerIsDeadHere } from '../../../src/generation/jobs/job-lease.ts';

describe('ownerIsDeadHere', () => {
  const self = newProcessOwnerId();

  it('never calls this process dead', () => {
    expect(ownerIsDeadHere(self, self)).toBe(false);
  });

  it('calls dead a previous process of this host with our pid (a restarted container) or with a pid that is gone', () => {
    expect(ownerIsDeadHere(`${hostname()}/${process.pid}/0badc0de`, self)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    expect(ownerIsDeadHere(`${hostname()}/${exited}/0badc0de`, self)).toBe(true);
  });

  it('leaves alone a live process of this host and any process of another host', () => {
    expect(ownerIsDeadHere(`${hostname()}/${process.ppid}/0badc0de`, self)).toBe(false);
    expect(ownerIsDeadHere(`elsewhere/${process.pid}/0badc0de`, self)).toBe(false);
    expect(ownerIsDeadHere('not an owner id', self)).toBe(false);
  });
});
