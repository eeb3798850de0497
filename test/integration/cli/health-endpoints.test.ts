/**
 * `darkroom start` as an operator's probes see it: the real process (embedded database, real
 * engine on a generated tiny model, discord.js against the fake Discord) with `metrics.port`
 * set from the environment, answering /healthz, /readyz and /metrics on loopback.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { parsePrometheusText, sampleValue } from '../observability/prometheus-text.ts';
import { cleanEnvironment, startDarkroomProcess } from './darkroom-process.ts';

const SLOW = 240_000;

/** A port nobody listens on now (the OS picks it; released before Darkroom takes it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('darkroom start with metrics.port set', () => {
  let root: string;
  let fake: FakeDiscord;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'darkroom-health-'));
    for (const dir of ['cwd', 'config']) mkdirSync(path.join(root, dir));
    writeFileSync(
      path.join(root, 'config', 'local.yaml'),
      ['engine:', '  autoPull: false', '  defaultModel: tiny-photo', '  executionProvider: cpu', '  previews: false', ''].join('\n'),
    );
    await buildFixtureModel(path.join(root, 'models', 'tiny-photo'), 'sd15-optimum');
    fake = await startFakeDiscord({ spec: undefined });
    // Already migrated: this test is about the health endpoints, not a first start.
    seedMigratedDataDir(path.join(root, 'data'));
  }, SLOW);
  afterAll(async () => {
    await fake?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'answers /healthz, becomes ready once the model has loaded and Discord is connected, serves /metrics, and stops on SIGTERM',
    async () => {
      const port = await freePort();
      const env = cleanEnvironment({
        DARKROOM_DATA_DIR: path.join(root, 'data'),
        DARKROOM_MODELS_DIR: path.join(root, 'models'),
        DARKROOM_CONFIG_DIR: path.join(root, 'config'),
        DARKROOM_METRICS_PORT: String(port),
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
      });
      const darkroom = startDarkroomProcess(['start'], path.join(root, 'cwd'), env);
      const base = `http://127.0.0.1:${port}`;
      await darkroom.waitForStdout('health.listening');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      await darkroom.waitForStdout('darkroom.ready');
      // The default model warms up in the background: ask as a probe would until it is ready.
      let readiness = await fetch(`${base}/readyz`);
      if (readiness.status !== 200) {
        expect(readiness.status).toBe(503);
        expect(((await readiness.json()) as { checks: Record<string, string> }).checks['engine']).toMatch(/has not loaded/);
        await darkroom.waitForStdout('engine.warmed_up');
        readiness = await fetch(`${base}/readyz`);
      }
      expect(await readiness.json()).toEqual({ ready: true, checks: { database: 'ok', engine: 'ok', discord: 'ok' } });

      const metrics = await fetch(`${base}/metrics`);
      const samples = parsePrometheusText(await metrics.text());
      expect(sampleValue(samples, 'darkroom_model_load_seconds_count', {})).toBe(1);
      expect(sampleValue(samples, 'darkroom_queue_jobs', { state: 'waiting' })).toBe(0);
      expect(sampleValue(samples, 'darkroom_process_resident_memory_bytes', {})).toBeGreaterThan(0);

      darkroom.child.kill('SIGTERM');
      const finished = await darkroom.finished;
      expect(finished.code).toBe(0);
      expect(finished.stdout).toMatch(/"hook":"health"/);
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    },
    SLOW,
  );
});
