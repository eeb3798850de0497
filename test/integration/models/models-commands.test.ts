import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseModelCatalog, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { ensureModel, runModelsPull, type EnsureModelOptions } from '../../../src/generation/models/models.commands.ts';
import { tinyModelFiles } from '../../unit/models/support/tiny-model-files.ts';
import { fakeRepo, startFakeHub, unreachableUrl, type FakeHub } from './support/fake-hub.ts';

const recommended = '{ steps: 4, guidance: 8, scheduler: lcm, width: 512, height: 512 }';
const catalogText = `models:
  - { name: fast, repo: acme/fast-onnx, family: lcm, description: d, license: l, approxSizeGB: 0.01, cpu: true, default: true, recommended: ${recommended} }
  - { name: gpu, repo: acme/gpu-onnx, family: sd1, description: d, license: l, approxSizeGB: 0.01, cpu: false, recommended: ${recommended} }
`;

describe('models commands against a fake hub', () => {
  let hub: FakeHub;
  let modelsDir: string;
  let catalog: ModelCatalog;
  let stderr: PassThrough;
  let stderrText: string;
  const options = (overrides: Partial<EnsureModelOptions> = {}): EnsureModelOptions => ({
    catalog,
    modelsDir,
    hubUrl: hub.url,
    token: undefined,
    stderr,
    interactive: false,
    signal: undefined,
    now: () => 0,
    autoPull: true,
    ...overrides,
  });

  beforeEach(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-cmd-'));
    catalog = parseModelCatalog(catalogText, 'config/models.yaml');
    const files = tinyModelFiles({ family: 'lcm', schedulerClass: 'LCMScheduler', unetDataBytes: 200_000 });
    hub = await startFakeHub([fakeRepo('acme/fast-onnx', files), fakeRepo('acme/gpu-onnx', tinyModelFiles({}))]);
    stderr = new PassThrough();
    stderrText = '';
    stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString('utf8')));
  });
  afterEach(async () => {
    await hub.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('`models pull` with no name fetches the default model, shows progress, then says it is installed', async () => {
    const first = await runModelsPull(undefined, options());
    expect(first.exitCode).toBe(0);
    expect(first.lines[0]).toMatch(/^pulled fast \(lcm\) from acme\/fast-onnx@[0-9a-f]{10}: \d+ files/);
    expect(stderrText).toContain('pulling fast: ');
    const again = await runModelsPull('fast', options());
    expect(again).toEqual({ exitCode: 0, lines: [`fast is already installed in ${path.join(modelsDir, 'fast')} (delete the folder to download it again)`] });
  });

  it('`models pull` warns before fetching a GPU-only build and refuses unknown names with exit code 2', async () => {
    expect((await runModelsPull('gpu', options())).exitCode).toBe(0);
    expect(stderrText).toContain('gpu is a GPU-only build');
    const unknown = await runModelsPull('nope', options());
    expect(unknown.exitCode).toBe(2);
    expect(unknown.lines[0]).toContain('fast, gpu');
  });

  it('`models pull` against an unreachable hub exits 1 with the command to run elsewhere', async () => {
    const output = await runModelsPull('fast', options({ hubUrl: await unreachableUrl() }));
    expect(output.exitCode).toBe(1);
    expect(output.lines[0]).toContain('`darkroom models pull fast`');
  });

  it('ensureModel pulls a missing model at start-up when autoPull is on', async () => {
    const ready = await ensureModel('fast', options());
    expect(ready).toMatchObject({ ok: true, dir: path.join(modelsDir, 'fast'), info: { family: 'lcm' } });
    expect(stderrText).toContain('model fast is not installed; downloading');
  });

  it('ensureModel only explains when autoPull is off, or when offline', async () => {
    const off = await ensureModel('fast', options({ autoPull: false }));
    expect(off).toMatchObject({ ok: false, code: 'model_missing', pullCommand: 'darkroom models pull fast' });
    expect(hub.requests).toHaveLength(0);
    const offline = await ensureModel('fast', options({ hubUrl: await unreachableUrl() }));
    expect(offline).toMatchObject({ ok: false, code: 'hub_unreachable', pullCommand: 'darkroom models pull fast' });
  });
});
