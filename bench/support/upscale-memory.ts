/**
 * Peak RSS of the upscale path (issue 9): a 512², 1024² and 2048² result of the hires fix on the
 * shared `sd15-topology` model (SD 1.5's UNet shape at 512², small weights: its attention memory
 * behaves like SD 1.5's), each in its own process so every figure is that upscale's own peak.
 * A watchdog reads the child's RSS and stops it above a cap, so a path that would need more than
 * the machine has is reported as "over the cap" instead of taking the machine (and every other
 * process on it) down. Skipped, visibly, without ../shared.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedPath } from '../../test/support/shared-dir.ts';

/** Results of these sides: sources are half as wide and high. */
export const UPSCALE_RESULT_SIDES = [512, 1024, 2048] as const;
/** Steps of the request; the hires fix runs int(steps × 0.3) = 1 img2img step of them. */
const STEPS = 4;
const GIB = 1024 ** 3;
const POLL_MS = 200;

export interface UpscaleMemoryFigure {
  result: string;
  /** The process's peak RSS (main thread + ONNX worker), or undefined when stopped at the cap. */
  peakRssGiB: number | undefined;
  ms: number | undefined;
  /** Set when the watchdog stopped the child: its RSS passed this many GiB. */
  stoppedAboveGiB?: number;
  error?: string;
}

const round = (value: number): number => Number(value.toFixed(2));

/** Bytes of RAM available now (`MemAvailable`), or undefined off Linux. */
function availableBytes(): number | undefined {
  try {
    const line = readFileSync('/proc/meminfo', 'utf8').split('\n').find((entry) => entry.startsWith('MemAvailable:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function rssOf(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function runChild(projectDir: string, model: string, source: number, capBytes: number): Promise<UpscaleMemoryFigure> {
  const result = `${source * 2}x${source * 2}`;
  const script = path.join(projectDir, 'bench', 'support', 'upscale-memory.child.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, model, String(source), String(STEPS)], {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let stoppedAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const watchdog = setInterval(() => {
      const rss = child.pid === undefined ? undefined : rssOf(child.pid);
      if (rss !== undefined && rss > capBytes && stoppedAt === undefined) {
        stoppedAt = rss;
        child.kill('SIGKILL');
      }
    }, POLL_MS);
    child.on('close', (code) => {
      clearInterval(watchdog);
      if (stoppedAt !== undefined) {
        resolve({ result, peakRssGiB: undefined, ms: undefined, stoppedAboveGiB: round(capBytes / GIB) });
        return;
      }
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const parsed = JSON.parse(line) as { peakRssBytes: number; ms: number; result: string };
        resolve({ result: parsed.result, peakRssGiB: round(parsed.peakRssBytes / GIB), ms: parsed.ms });
      } catch {
        resolve({ result, peakRssGiB: undefined, ms: undefined, error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

/**
 * Runs the three upscales one after another from `projectDir` (this checkout by default; a copy of
 * an older commit gives "before" figures). The cap is `capGiB`, lowered to leave 2 GiB of the
 * RAM available at the start to everyone else.
 */
export async function measureUpscaleMemory(options: { projectDir: string | undefined; capGiB: number }): Promise<object> {
  const model = sharedPath('fixtures', 'models', 'sd15-topology');
  if (!model) {
    process.stderr.write('  upscale memory: skipped, ../shared (fixtures/models/sd15-topology) not found\n');
    return { skipped: '../shared not found next to the project (set DARKROOM_SHARED_DIR)' };
  }
  const projectDir = options.projectDir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const available = availableBytes();
  const capBytes = Math.min(options.capGiB * GIB, available === undefined ? Infinity : available - 2 * GIB);
  const figures: UpscaleMemoryFigure[] = [];
  for (const side of UPSCALE_RESULT_SIDES) {
    process.stderr.write(`  upscale memory: ${side / 2}² → ${side}² (hires fix, 1 img2img step)…\n`);
    const figure = await runChild(projectDir, model, side / 2, capBytes);
    process.stderr.write(`    ${JSON.stringify(figure)}\n`);
    figures.push(figure);
  }
  return {
    model: 'shared/fixtures/models/sd15-topology',
    path: 'DiffusionEngine.upscale, hires fix (Lanczos 2×, img2img strength 0.3), euler, CFG 7.5, 1 img2img step, cfgBatching auto',
    capGiB: round(capBytes / GIB),
    figures,
  };
}
