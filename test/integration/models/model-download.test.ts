import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseModelCatalog, type CatalogEntry, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { partFileFor } from '../../../src/generation/models/file-transfer.ts';
import { pullModel, type PullOptions } from '../../../src/generation/models/model-download.ts';
import { inspectModelFolder } from '../../../src/generation/models/model-folder.ts';
import { listModels, resolveModel } from '../../../src/generation/models/model-resolve.ts';
import { tinyModelFiles } from '../../unit/models/support/tiny-model-files.ts';
import { fakeRepo, startFakeHub, unreachableUrl, type FakeHub } from './support/fake-hub.ts';

const BIG = 'unet/model.onnx_data';
const BIG_BYTES = 3 * 1024 * 1024 + 123;

/** Compare file contents by digest: deep-equal on megabyte Buffers is very slow in vitest. */
const digest = (bytes: Buffer | undefined): string => createHash('sha256').update(bytes ?? Buffer.alloc(0)).digest('hex');
const fileDigest = async (file: string): Promise<string> => digest(await readFile(file));

function catalogFor(entries: Array<{ name: string; repo: string; family?: string; subfolder?: string; revision?: string }>): ModelCatalog {
  const yaml = entries
    .map(
      (entry, index) => `  - name: ${entry.name}
    repo: ${entry.repo}
    revision: ${entry.revision ?? 'main'}${entry.subfolder ? `\n    subfolder: ${entry.subfolder}` : ''}
    family: ${entry.family ?? 'lcm'}
    description: test model
    license: test
    approxSizeGB: 0.01
    cpu: true
    default: ${index === 0}
    recommended: { steps: 4, guidance: 8, scheduler: lcm, width: 512, height: 512 }`,
    )
    .join('\n');
  return parseModelCatalog(`models:\n${yaml}\n`, 'test-models.yaml');
}

/**
 * Names a hub repo may list: `%`, `#`, `?` and an encoded `..` must reach the hub as the file's
 * own name; `merges.txt.part` (listed, smaller than merges.txt so it lands first) must survive
 * the download of `merges.txt` and not be taken for its partial download.
 */
const ODD_FILES = new Map<string, Buffer>([
  ['tokenizer/100%.txt', Buffer.from('one hundred percent')],
  ['tokenizer/a#b?c.txt', Buffer.from('hash and question mark')],
  ['unet/%2e%2e/model_index.json', Buffer.from('{"not":"the root model_index"}')],
  ['tokenizer/merges.txt.part', Buffer.from('xx')],
]);

describe('pullModel against a fake hub on loopback', () => {
  let hub: FakeHub;
  let modelsDir: string;
  let catalog: ModelCatalog;
  const source = tinyModelFiles({ family: 'lcm', schedulerClass: 'LCMScheduler', unetDataBytes: BIG_BYTES, torchExtras: true });
  const entry = (name: string): CatalogEntry => {
    const found = catalog.models.find((model) => model.name === name);
    if (!found) throw new Error(`no ${name}`);
    return found;
  };
  const options = (overrides: Partial<PullOptions> = {}): PullOptions => ({
    modelsDir,
    hubUrl: hub.url,
    token: undefined,
    onProgress: undefined,
    signal: undefined,
    retryDelayMs: 5,
    ...overrides,
  });

  beforeEach(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-pull-'));
    const nested = new Map([...tinyModelFiles({ layout: 'legacy' })].map(([file, bytes]) => [`onnx/${file}`, bytes]));
    nested.set('README.md', Buffer.from('root readme'));
    hub = await startFakeHub([
      fakeRepo('acme/lcm-onnx', source),
      fakeRepo('acme/gated-onnx', source, { gatedToken: 'hf_secret_token' }),
      fakeRepo('acme/corrupt-onnx', source, { listedSizes: new Map([['unet/model.onnx', 2048 + 10]]) }),
      fakeRepo('acme/torch-only', new Map([['model_index.json', Buffer.from('{}')], ['unet/diffusion_pytorch_model.safetensors', Buffer.alloc(100)]])),
      fakeRepo('acme/nested', nested),
      fakeRepo('acme/odd-names', new Map([...source, ...ODD_FILES])),
      fakeRepo('acme/long-name', new Map([...source, [`tokenizer/${'n'.repeat(300)}.json`, Buffer.from('{}')]])),
    ]);
    catalog = catalogFor([
      { name: 'lcm', repo: 'acme/lcm-onnx' },
      { name: 'gated', repo: 'acme/gated-onnx' },
      { name: 'corrupt', repo: 'acme/corrupt-onnx' },
      { name: 'torch', repo: 'acme/torch-only' },
      { name: 'nested', repo: 'acme/nested', subfolder: 'onnx', family: 'sd1' },
      { name: 'missing-rev', repo: 'acme/lcm-onnx', revision: 'v9' },
      { name: 'odd', repo: 'acme/odd-names' },
      { name: 'long', repo: 'acme/long-name' },
    ]);
  });
  afterEach(async () => {
    await hub.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('downloads exactly the pipeline files, byte for byte, and the result is a detected model folder', async () => {
    const progress: number[] = [];
    const result = await pullModel(entry('lcm'), options({ onProgress: (update) => progress.push(update.doneBytes) }));
    if (!result.ok) throw new Error(result.message);

    const needed = [...source.keys()].filter(
      (file) => !/\.(safetensors|bin|msgpack|ckpt|md)$/.test(file) && !file.startsWith('vae/') && !file.startsWith('.'),
    );
    expect([...result.files].sort()).toEqual(needed.sort());
    for (const file of needed) expect(await fileDigest(path.join(result.dir, file))).toBe(digest(source.get(file)));
    expect(result.bytes).toBe(needed.reduce((sum, file) => sum + (source.get(file)?.length ?? 0), 0));
    expect(hub.requests.some((request) => /safetensors|pytorch_model|msgpack|ckpt|\/vae\//.test(request.url))).toBe(false);
    expect(await readdir(modelsDir)).toEqual(['lcm']); // no .partial left behind

    const info = await inspectModelFolder(result.dir, { catalogFamily: 'lcm' });
    if (!info.ok) throw new Error(info.message);
    expect(info.family).toBe('lcm');
    expect(info.externalDataFiles).toEqual([BIG]);

    // The listing came in several pages, and after the first answer every file was fetched at the pinned commit.
    expect(hub.requests.filter((request) => request.url.includes('/tree/')).length).toBeGreaterThan(1);
    const resolves = hub.requests.filter((request) => request.url.includes('/resolve/'));
    expect(resolves.every((request) => request.url.includes(`/resolve/${fakeRepo('acme/lcm-onnx', source).commit}/`))).toBe(true);
    expect(result.commit).toBe(fakeRepo('acme/lcm-onnx', source).commit);
    expect(progress.at(-1)).toBe(result.totalBytes);
  });

  it('resumes a dropped connection with a Range request, fetching only the missing bytes', async () => {
    hub.dropOnce.add(BIG);
    const result = await pullModel(entry('lcm'), options());
    if (!result.ok) throw new Error(result.message);

    const transfers = hub.requests.filter((request) => request.file === BIG && request.range !== 'bytes=0-0' && request.server === 'cdn');
    expect(transfers).toHaveLength(2);
    const firstPart = transfers[0]?.bytesSent ?? 0;
    expect(firstPart).toBeGreaterThan(0);
    expect(firstPart).toBeLessThan(BIG_BYTES);
    // Bytes the server wrote just before the drop may never reach the client, so the resume
    // starts where the client's file ends: after 0, at most where the server stopped.
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(transfers[1]?.range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(firstPart);
    // Only the rest is fetched again, not the whole file.
    expect(transfers[1]?.bytesSent).toBe(BIG_BYTES - resumedFrom);
    expect(hub.bodyBytes(BIG)).toBe(firstPart + BIG_BYTES - resumedFrom);
    expect(await fileDigest(path.join(result.dir, BIG))).toBe(digest(source.get(BIG)));
  });

  it('keeps an interrupted pull as .partial, never as an installed model, and the next pull fetches only the rest', async () => {
    const controller = new AbortController();
    const firstRun = pullModel(
      entry('lcm'),
      options({
        signal: controller.signal,
        onProgress: (update) => {
          if (update.file === BIG && update.fileBytes > BIG_BYTES / 3) controller.abort();
        },
      }),
    );
    await expect(firstRun).rejects.toThrow(/abort/i);
    expect(await readdir(modelsDir)).toEqual(['lcm.partial']);
    const locations = { catalog, modelsDir };
    const resolved = await resolveModel('lcm', locations);
    expect(resolved).toMatchObject({ ok: false, code: 'model_partial', pullCommand: 'darkroom models pull lcm' });
    expect((await listModels(locations)).find((row) => row.name === 'lcm')?.status).toBe('partial');

    const partSize = (await stat(partFileFor(path.join(modelsDir, 'lcm.partial', BIG)))).size;
    expect(partSize).toBeGreaterThan(0);
    const servedBefore = hub.bodyBytes(BIG);
    const secondRun = await pullModel(entry('lcm'), options());
    if (!secondRun.ok) throw new Error(secondRun.message);
    expect(hub.bodyBytes(BIG) - servedBefore).toBe(BIG_BYTES - partSize);
    expect(await fileDigest(path.join(secondRun.dir, BIG))).toBe(digest(source.get(BIG)));
    expect(await resolveModel('lcm', locations)).toMatchObject({ ok: true, entry: { name: 'lcm' } });
  });

  it('resumes from a part file an older version left as x.part, and installs no leftover', async () => {
    const controller = new AbortController();
    const firstRun = pullModel(
      entry('lcm'),
      options({
        signal: controller.signal,
        onProgress: (update) => {
          if (update.file === BIG && update.fileBytes > BIG_BYTES / 3) controller.abort();
        },
      }),
    );
    await expect(firstRun).rejects.toThrow(/abort/i);
    const target = path.join(modelsDir, 'lcm.partial', BIG);
    await rename(partFileFor(target), `${target}.part`); // how versions before hidden part files named it
    const partSize = (await stat(`${target}.part`)).size;
    const servedBefore = hub.bodyBytes(BIG);
    const secondRun = await pullModel(entry('lcm'), options());
    if (!secondRun.ok) throw new Error(secondRun.message);
    expect(hub.bodyBytes(BIG) - servedBefore).toBe(BIG_BYTES - partSize);
    expect(await fileDigest(path.join(secondRun.dir, BIG))).toBe(digest(source.get(BIG)));
    expect(await readdir(path.join(secondRun.dir, 'unet'))).not.toContain('model.onnx_data.part');
  });

  it('reports a file whose size differs from the listing and does not install the model', async () => {
    const result = await pullModel(entry('corrupt'), options());
    expect(result).toMatchObject({ ok: false, code: 'size_mismatch' });
    if (result.ok) return;
    expect(result.message).toContain('unet/model.onnx');
    expect(result.message).toContain(String(2048 + 10));
    expect(await readdir(modelsDir)).toEqual(['corrupt.partial']);
    expect(await readdir(path.join(modelsDir, 'corrupt.partial', 'unet')).catch(() => [])).not.toContain('model.onnx');
  });

  it('explains a gated repo with HF_TOKEN, and sends the token as a Bearer header to the hub only', async () => {
    const refused = await pullModel(entry('gated'), options());
    expect(refused).toMatchObject({ ok: false, code: 'gated' });
    if (!refused.ok) expect(refused.message).toContain('HF_TOKEN');

    const wrong = await pullModel(entry('gated'), options({ token: 'hf_wrong' }));
    expect(wrong).toMatchObject({ ok: false, code: 'gated' });
    if (!wrong.ok) expect(wrong.message).toMatch(/refused HF_TOKEN/);

    hub.requests.length = 0;
    const pulled = await pullModel(entry('gated'), options({ token: 'hf_secret_token' }));
    if (!pulled.ok) throw new Error(pulled.message);
    const hubRequests = hub.requests.filter((request) => request.server === 'hub');
    expect(hubRequests.length).toBeGreaterThan(0);
    expect(hubRequests.every((request) => request.authorization === 'Bearer hf_secret_token')).toBe(true);
    expect(hub.requests.filter((request) => request.server === 'cdn').every((request) => request.authorization === undefined)).toBe(true);
  });

  it('names an unknown revision, a repo without ONNX files and a token that is not a hub token', async () => {
    const missing = await pullModel(entry('missing-rev'), options());
    expect(missing).toMatchObject({ ok: false, code: 'not_found' });
    if (!missing.ok) expect(missing.message).toContain('no such repo/revision: acme/lcm-onnx@v9');
    expect(await pullModel(entry('torch'), options())).toMatchObject({ ok: false, code: 'not_onnx_repo' });
    expect(await pullModel(entry('lcm'), options({ token: 'secret' }))).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('lays out a subfolder entry as a plain model folder', async () => {
    const result = await pullModel(entry('nested'), options());
    if (!result.ok) throw new Error(result.message);
    expect(result.files).toContain('unet/weights.pb');
    expect(result.files.some((file) => file.startsWith('onnx/') || file === 'README.md')).toBe(false);
    expect(await inspectModelFolder(result.dir)).toMatchObject({ ok: true, externalDataFiles: ['unet/weights.pb'] });
  });

  it('gives the exact pull command when the hub cannot be reached', async () => {
    const offline = await unreachableUrl();
    const result = await pullModel(entry('lcm'), options({ hubUrl: offline }));
    expect(result).toMatchObject({ ok: false, code: 'hub_unreachable', pullCommand: 'darkroom models pull lcm' });
    if (!result.ok) {
      expect(result.message).toContain(`cannot reach ${offline}`);
      expect(result.message).toContain('`darkroom models pull lcm`');
      expect(result.message).toContain(path.join(modelsDir, 'lcm'));
    }
  });

  it('fetches names with %, #, ? and an encoded .. as themselves, and keeps a listed x.part next to x', async () => {
    const result = await pullModel(entry('odd'), options());
    if (!result.ok) throw new Error(result.message);
    for (const [file, bytes] of [...ODD_FILES, ['tokenizer/merges.txt', source.get('tokenizer/merges.txt')] as const]) {
      expect(await fileDigest(path.join(result.dir, file)), file).toBe(digest(bytes));
    }
    expect(await readdir(path.join(result.dir, 'tokenizer'))).not.toContain('.merges.txt.part');
  });

  it('refuses a listed name longer than the file system allows before downloading anything', async () => {
    const result = await pullModel(entry('long'), options());
    expect(result).toMatchObject({ ok: false, code: 'file_name_too_long' });
    if (!result.ok) expect(result.message).toMatch(/acme\/long-name lists tokenizer\/n+…\(315 characters\), a name longer than the file system allows/);
    expect(hub.requests.filter((request) => request.url.includes('/resolve/'))).toEqual([]);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('does not touch the network when the model folder is already there', async () => {
    const first = await pullModel(entry('lcm'), options());
    expect(first).toMatchObject({ ok: true, alreadyInstalled: false });
    hub.requests.length = 0;
    expect(await pullModel(entry('lcm'), options())).toMatchObject({ ok: true, alreadyInstalled: true, bytes: 0 });
    expect(hub.requests).toHaveLength(0);
  });
});
