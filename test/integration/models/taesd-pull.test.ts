/**
 * TAESD from the catalog's `decoders:`: `pullModel` keeps what a TAESD export needs (its config and
 * the two halves; the torch weights, scripts and README of such repos stay on the hub), the folder
 * is then a usable TAESD, and `decoderWarnings` says what to run while it is missing. Against the
 * fake hub on loopback.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDecoder, parseModelCatalog, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { pullModel } from '../../../src/generation/models/model-download.ts';
import { decoderWarnings, listDecoders } from '../../../src/generation/models/model-resolve.ts';
import { fakeRepo, startFakeHub, type FakeHub } from './support/fake-hub.ts';

const TAESD_CONFIG = Buffer.from(JSON.stringify({ _class_name: 'AutoencoderTiny', scaling_factor: 1.0, latent_channels: 4 }));
const TAESD_REPO = new Map<string, Buffer>([
  ['config.json', TAESD_CONFIG],
  ['vae_decoder/config.json', TAESD_CONFIG],
  ['vae_decoder/model.onnx', Buffer.alloc(3000, 1)],
  ['vae_encoder/config.json', TAESD_CONFIG],
  ['vae_encoder/model.onnx', Buffer.alloc(2000, 2)],
  ['README.md', Buffer.from('# taesd onnx')],
  ['convert_to_onnx.py', Buffer.from('print(1)')],
  ['taesd_decoder.pth', Buffer.alloc(500)],
]);

const CATALOG = `models:
  - { name: lcm, repo: acme/lcm-onnx, family: lcm, description: a model, license: MIT, approxSizeGB: 4, cpu: true, default: true,
      recommended: { steps: 4, guidance: 8, scheduler: lcm, width: 512, height: 512 } }
decoders:
  - { name: taesd, repo: acme/taesd-onnx, latentSpace: sd, description: tiny VAE, license: MIT, approxSizeGB: 0.01 }
  - { name: taesdxl, repo: acme/not-taesd, latentSpace: sdxl, description: tiny VAE for SDXL, license: MIT, approxSizeGB: 0.01 }
`;

describe('pulling TAESD', () => {
  let hub: FakeHub;
  let modelsDir: string;
  let catalog: ModelCatalog;
  beforeEach(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-taesd-pull-'));
    hub = await startFakeHub([fakeRepo('acme/taesd-onnx', TAESD_REPO), fakeRepo('acme/not-taesd', new Map([['README.md', Buffer.from('nothing here')]]))]);
    catalog = parseModelCatalog(CATALOG, 'models.yaml');
  });
  afterEach(async () => {
    await hub.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('downloads only the config and the two halves, and the folder is a usable TAESD', async () => {
    const locations = { catalog, modelsDir };
    const settings = { decoder: 'taesd' as const, previewDecoder: 'auto' as const };
    expect(await decoderWarnings(locations, settings)).toEqual([
      "engine.decoder: TAESD for SD 1.x/2.x (taesd) is not installed, so the models' own VAE decodes for those models; run `darkroom models pull taesd`",
      "engine.decoder: TAESD for SDXL (taesdxl) is not installed, so the models' own VAE decodes for those models; run `darkroom models pull taesdxl`",
    ]);
    const result = await pullModel(findDecoder(catalog, 'TAESD')!, { modelsDir, hubUrl: hub.url, token: undefined, onProgress: undefined, signal: undefined, retryDelayMs: 5 });
    if (!result.ok) throw new Error(result.message);
    expect([...result.files].sort()).toEqual(['config.json', 'vae_decoder/config.json', 'vae_decoder/model.onnx', 'vae_encoder/config.json', 'vae_encoder/model.onnx']);
    expect(hub.requests.some((request) => /\.pth|\.py|README/.test(request.url) && request.url.includes('/resolve/'))).toBe(false);
    expect((await readdir(modelsDir)).sort()).toEqual(['taesd']);
    const rows = await listDecoders(locations);
    expect(rows.map((row) => [row.name, row.status])).toEqual([
      ['taesd', 'installed'],
      ['taesdxl', 'not downloaded'],
    ]);
    expect(await decoderWarnings(locations, settings)).toHaveLength(1);
    // auto previews never warn; full decodes never ask for TAESD.
    expect(await decoderWarnings(locations, { decoder: 'full', previewDecoder: 'auto' })).toEqual([]);
  });

  it('a repo without vae_decoder/model.onnx is refused before anything is written', async () => {
    const result = await pullModel(findDecoder(catalog, 'taesdxl')!, { modelsDir, hubUrl: hub.url, token: undefined, onProgress: undefined, signal: undefined });
    expect(result).toMatchObject({ ok: false, code: 'not_onnx_repo', message: 'acme/not-taesd@main has no vae_decoder/model.onnx — is it an ONNX export?' });
    expect(await readdir(modelsDir)).toEqual([]);
  });
});
