import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureModel, type EnsureModelOptions, type PullDisplay } from '../../../src/generation/models/model-install.ts';
import { unreachableUrl } from './support/fake-hub.ts';
import { startTwoModelHub, type TwoModelHub } from './support/two-model-hub.ts';

describe('ensureModel against a fake hub', () => {
  let scene: TwoModelHub;
  let notes: string[];
  let progressReports: number;
  const display: PullDisplay = {
    note: (text) => notes.push(text),
    progress: () => ({ onProgress: () => (progressReports += 1), finish: () => {} }),
  };
  const options = (overrides: Partial<EnsureModelOptions> = {}): EnsureModelOptions => ({
    catalog: scene.catalog,
    modelsDir: scene.modelsDir,
    hubUrl: scene.hub.url,
    token: undefined,
    display,
    signal: undefined,
    autoPull: true,
    ...overrides,
  });

  beforeEach(async () => {
    scene = await startTwoModelHub();
    notes = [];
    progressReports = 0;
  });
  afterEach(async () => {
    await scene.close();
  });

  it('ensureModel pulls a missing model at start-up when autoPull is on', async () => {
    const ready = await ensureModel('fast', options());
    expect(ready).toMatchObject({ ok: true, dir: path.join(scene.modelsDir, 'fast'), info: { family: 'lcm' } });
    expect(notes).toEqual([expect.stringMatching(/^model fast is not installed; downloading about [\d.]+ [kMG]?B from acme\/fast-onnx$/)]);
    expect(progressReports).toBeGreaterThan(0);
  });

  it('ensureModel only explains when autoPull is off, or when offline', async () => {
    const off = await ensureModel('fast', options({ autoPull: false }));
    expect(off).toMatchObject({ ok: false, code: 'model_missing', pullCommand: 'darkroom models pull fast' });
    expect(scene.hub.requests).toHaveLength(0);
    const offline = await ensureModel('fast', options({ hubUrl: await unreachableUrl() }));
    expect(offline).toMatchObject({ ok: false, code: 'hub_unreachable', pullCommand: 'darkroom models pull fast' });
  });
});
