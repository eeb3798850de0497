/** The `metrics` section: off and on loopback by default, and settable from the environment. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../../src/config/environment.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { projectRoot } from '../../support/shared-dir.ts';

function load(env: Environment) {
  return loadConfig({ configDir: path.join(projectRoot, 'test'), env, workingDir: projectRoot, defaultsFile: undefined });
}

describe('metrics configuration', () => {
  it('is off (port 0) and bound to 127.0.0.1 by default', () => {
    const result = load({});
    expect(result.ok && result.config.metrics).toEqual({ port: 0, host: '127.0.0.1' });
  });

  it('reads DARKROOM_METRICS_PORT / DARKROOM_METRICS_HOST and the generic DARKROOM_METRICS__PORT form', () => {
    const named = load({ DARKROOM_METRICS_PORT: '9464', DARKROOM_METRICS_HOST: '0.0.0.0' });
    expect(named.ok && named.config.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    const generic = load({ DARKROOM_METRICS__PORT: '9465' });
    expect(generic.ok && generic.config.metrics.port).toBe(9465);
  });

  it('refuses a port that is not a port, naming the variable', () => {
    const result = load({ DARKROOM_METRICS_PORT: '70000' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((problem) => problem.path)).toEqual(['DARKROOM_METRICS_PORT']);
  });
});
