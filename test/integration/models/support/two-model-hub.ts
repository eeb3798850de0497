/**
 * A fake hub with two catalog models, as `models pull` and start-up pulls meet them: `fast`
 * (the default, a tiny LCM folder with a 200 kB UNet) and `gpu` (a GPU-only SD1 build), and an
 * empty models folder to pull into.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseModelCatalog, type ModelCatalog } from '../../../../src/generation/models/model-catalog.ts';
import { tinyModelFiles } from '../../../unit/models/support/tiny-model-files.ts';
import { fakeRepo, startFakeHub, type FakeHub } from './fake-hub.ts';

const recommended = '{ steps: 4, guidance: 8, scheduler: lcm, width: 512, height: 512 }';
const catalogText = `models:
  - { name: fast, repo: acme/fast-onnx, family: lcm, description: d, license: l, approxSizeGB: 0.01, cpu: true, default: true, recommended: ${recommended} }
  - { name: gpu, repo: acme/gpu-onnx, family: sd1, description: d, license: l, approxSizeGB: 0.01, cpu: false, recommended: ${recommended} }
`;

export interface TwoModelHub {
  hub: FakeHub;
  catalog: ModelCatalog;
  /** Empty at the start. */
  modelsDir: string;
  close(): Promise<void>;
}

export async function startTwoModelHub(): Promise<TwoModelHub> {
  const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-pull-'));
  const files = tinyModelFiles({ family: 'lcm', schedulerClass: 'LCMScheduler', unetDataBytes: 200_000 });
  const hub = await startFakeHub([fakeRepo('acme/fast-onnx', files), fakeRepo('acme/gpu-onnx', tinyModelFiles({}))]);
  return {
    hub,
    catalog: parseModelCatalog(catalogText, 'config/models.yaml'),
    modelsDir,
    async close() {
      await hub.close();
      await rm(modelsDir, { recursive: true, force: true });
    },
  };
}
