import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DarkroomConfig } from '../../../src/config/config.types.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { ModelAvailability } from '../../../src/lifecycle/model-availability.ts';
import { assessReadiness, nextSteps } from '../../../src/lifecycle/readiness.ts';

const workingDir = '/srv/darkroom';

function config(env: Environment): DarkroomConfig {
  const result = loadConfig({ configDir: undefined, env, workingDir, defaultsFile: undefined });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const missing: ModelAvailability = {
  name: 'photo-model',
  folder: '/srv/darkroom/models/photo-model',
  present: false,
  problem: 'it is not downloaded yet',
  catalogName: 'photo-model',
};
const present: ModelAvailability = { ...missing, present: true, problem: undefined };

describe('start-up readiness', () => {
  it('with nothing configured, says which tokens to set and how to get the model', () => {
    const settings = config({ DARKROOM_MODELS_DIR: 'models' });
    const readiness = assessReadiness(settings, missing);
    expect(readiness.ready).toBe(false);
    const text = nextSteps(readiness, settings, workingDir).join('\n');
    expect(text).toContain('DISCORD_TOKEN');
    expect(text).toContain('SLACK_BOT_TOKEN');
    expect(text).toContain('npx darkroom models pull photo-model');
    // Inside the current folder the path is shown short, as a person would type it.
    expect(text).toContain(`at ${path.join('models', 'photo-model')}/`);
  });

  it('with a token but no model, only asks for the model', () => {
    const settings = config({ DISCORD_TOKEN: 'token' });
    const steps = nextSteps(assessReadiness(settings, missing), settings, workingDir);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain('photo-model');
  });

  it('with a model but no token, only asks for a chat platform', () => {
    const settings = config({});
    const steps = nextSteps(assessReadiness(settings, present), settings, workingDir);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain('DISCORD_TOKEN');
  });

  it('is ready with a chat platform and the model', () => {
    const settings = config({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    const readiness = assessReadiness(settings, present);
    expect(readiness.ready).toBe(true);
    expect(nextSteps(readiness, settings, workingDir)).toEqual([]);
  });
});
