/**
 * Pressing U1 on a 512² result runs a 1024² hires-fix img2img. Without tiling it needed 5.5 GiB
 * (peak RSS) on the tiny test model — the VAE's mid-block attention over 128×128 latents alone is
 * 1 GB per copy — and bigger hosts' ⬆️ on that result asked for 2048² (17 GB for that attention),
 * so smaller hosts were OOM-killed. With tiled VAE and UNet work the same upscale stays near a
 * 512² generation's footprint. The real upscale path (`DiffusionEngine.upscale`, hires fix), in a
 * fresh child process so the figure is that upscale's own peak.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sd15');
const GIB = 1024 ** 3;

interface UpscaleRun {
  result: string;
  peakRssBytes: number;
  img2imgSteps: number;
}

function upscaleInChild(source: number): Promise<UpscaleRun> {
  const script = path.join(projectRoot, 'bench', 'support', 'upscale-memory.child.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, model!, String(source), '4'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`upscale child exited with ${code ?? signal}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as UpscaleRun);
    });
  });
}

describe.skipIf(!model)('memory of the hires-fix upscale' + sharedSkipReason, () => {
  it('upscales a 512² result to 1024² within 2 GiB (5.5 GiB before tiling)', async () => {
    const run = await upscaleInChild(512);
    expect(run.result).toBe('1024x1024');
    expect(run.img2imgSteps).toBeGreaterThan(0);
    expect(run.peakRssBytes / GIB).toBeLessThan(2);
  }, 300_000);
});
