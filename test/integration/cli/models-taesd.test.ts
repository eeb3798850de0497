/**
 * `darkroom models pull taesd` and `darkroom models list` with the catalog's TAESD decoders,
 * against the fake hub on loopback: the list says which TAESD the settings need and lack (and the
 * command that installs it), the pull checks the folder is a TAESD, the list then shows it installed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsList, runModelsPull, type PullCommandOptions } from '../../../src/cli/models.actions.ts';
import { parseModelCatalog, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { fakeRepo, startFakeHub, type FakeHub } from '../models/support/fake-hub.ts';

const config = (className: string): Buffer => Buffer.from(JSON.stringify({ _class_name: className, scaling_factor: className === 'AutoencoderTiny' ? 1.0 : 0.18215 }));
const halves = (className: string): Map<string, Buffer> =>
  new Map([
    ['config.json', config(className)],
    ['vae_decoder/model.onnx', Buffer.alloc(4000, 1)],
    ['vae_encoder/model.onnx', Buffer.alloc(3000, 2)],
  ]);

const CATALOG = `models:
  - { name: fast, repo: acme/fast-onnx, family: lcm, description: d, license: l, approxSizeGB: 4.3, cpu: true, default: true,
      recommended: { steps: 4, guidance: 8, scheduler: lcm, width: 512, height: 512 } }
decoders:
  - { name: taesd, repo: acme/taesd-onnx, latentSpace: sd, description: tiny VAE, license: MIT, approxSizeGB: 0.01 }
  - { name: taesdxl, repo: acme/sd-vae-onnx, latentSpace: sdxl, description: tiny VAE for SDXL, license: MIT, approxSizeGB: 0.01 }
`;

describe('`darkroom models` and TAESD', () => {
  let hub: FakeHub;
  let modelsDir: string;
  let catalog: ModelCatalog;
  const stderr = new PassThrough();
  stderr.resume();
  const options = (): PullCommandOptions => ({ catalog, modelsDir, hubUrl: hub.url, token: undefined, stderr, interactive: false, signal: undefined, now: () => 0 });

  beforeEach(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-cli-taesd-'));
    // taesdxl's repo holds an SD VAE (AutoencoderKL) under the same file names: not a TAESD.
    hub = await startFakeHub([fakeRepo('acme/taesd-onnx', halves('AutoencoderTiny')), fakeRepo('acme/sd-vae-onnx', halves('AutoencoderKL'))]);
    catalog = parseModelCatalog(CATALOG, 'models.yaml');
  });
  afterEach(async () => {
    await hub.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('lists TAESD, warns while one the settings ask for is missing, pulls it and checks it is one', async () => {
    const settings = { decoder: 'taesd' as const, previewDecoder: 'taesd' as const };
    const before = (await runModelsList({ catalog, modelsDir }, settings)).lines;
    expect(before).toContain('TAESD (tiny VAE for previews and engine.decoder: taesd):');
    expect(before.find((line) => line.startsWith('  taesd '))).toMatch(/^ {2}taesd {4}not downloaded {2}SD 1\.x\/2\.x latents {2}~10\.0 MB {2}acme\/taesd-onnx$/);
    expect(before).toContain(
      "warning: engine.decoder and engine.previewDecoder: TAESD for SD 1.x/2.x (taesd) is not installed, so the models' own VAE decodes and previews use the latent-RGB approximation for those models; run `darkroom models pull taesd`",
    );

    const pulled = await runModelsPull('taesd', options());
    expect(pulled.exitCode).toBe(0);
    expect(pulled.lines[0]).toMatch(/^pulled taesd \(TAESD for SD 1\.x\/2\.x latents\) from acme\/taesd-onnx@[0-9a-f]{10}: 3 files/);
    const after = (await runModelsList({ catalog, modelsDir }, settings)).lines;
    expect(after.find((line) => line.startsWith('  taesd '))).toMatch(/^ {2}taesd {4}installed {7}SD 1\.x\/2\.x latents/);
    expect(after.filter((line) => line.startsWith('warning:'))).toHaveLength(1); // taesdxl only

    const wrong = await runModelsPull('taesdxl', options());
    expect(wrong).toEqual({
      exitCode: 1,
      lines: [`downloaded taesdxl, but the folder is not usable: ${path.join(modelsDir, 'taesdxl', 'config.json')} describes AutoencoderKL, not a TAESD (AutoencoderTiny)`],
    });
    const unknown = await runModelsPull('nope', options());
    expect(unknown.exitCode).toBe(2);
    expect(unknown.lines[0]).toContain('fast, taesd, taesdxl');
  });
});
