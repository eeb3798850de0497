/** How a model download looks at a terminal (`darkroom models pull`, start-up pulls). */
import cliProgress from 'cli-progress';
import type { PullDisplay, PullProgressReporter } from '../generation/models/model-install.ts';
import { formatBytes } from '../generation/models/model.types.ts';

/** How often a non-terminal stream gets a progress line. */
const LINE_INTERVAL_MS = 10_000;

/**
 * The models room's {@link PullDisplay} on a stream (normally stderr): notes as lines, progress as a
 * bar when `interactive` (a terminal), else a plain line every ten seconds.
 */
export function terminalPullDisplay(stream: NodeJS.WritableStream, interactive: boolean, now: () => number = Date.now): PullDisplay {
  return {
    note: (text) => stream.write(`${text}\n`),
    progress: (name) => createPullProgressReporter({ name, stream, interactive, intervalMs: LINE_INTERVAL_MS, now }),
  };
}

export interface PullProgressOptions {
  /** Model name shown on each line. */
  name: string;
  /** Where progress goes, normally process.stderr. */
  stream: NodeJS.WritableStream;
  /** True on a terminal: a redrawn bar. False (logs, CI, systemd): a plain line every `intervalMs`. */
  interactive: boolean;
  intervalMs: number;
  now: () => number;
}

/**
 * A progress display for `darkroom models pull` and start-up pulls: a cli-progress bar on a TTY, and
 * periodic plain lines elsewhere so logs stay readable.
 */
export function createPullProgressReporter(options: PullProgressOptions): PullProgressReporter {
  return options.interactive ? barReporter(options) : lineReporter(options);
}

function barReporter(options: PullProgressOptions): PullProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream,
      format: `${options.name} {bar} {percentage}% | {done} / {all} | {speed} | ETA {eta_formatted} | {file}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const speed = speedMeter(options.now);
  let started = false;
  return {
    onProgress(progress) {
      const payload = {
        done: formatBytes(progress.doneBytes),
        all: formatBytes(progress.totalBytes),
        speed: `${formatBytes(speed(progress.doneBytes))}/s`,
        file: progress.file,
      };
      if (!started) {
        bar.start(progress.totalBytes, progress.doneBytes, payload);
        started = true;
      } else {
        bar.update(progress.doneBytes, payload);
      }
    },
    finish() {
      if (started) bar.stop();
    },
  };
}

function lineReporter(options: PullProgressOptions): PullProgressReporter {
  const speed = speedMeter(options.now);
  let lastLine: number | undefined;
  return {
    onProgress(progress) {
      const rate = speed(progress.doneBytes);
      const time = options.now();
      if (lastLine !== undefined && time - lastLine < options.intervalMs) return;
      lastLine = time;
      const percent = progress.totalBytes === 0 ? 100 : Math.floor((progress.doneBytes / progress.totalBytes) * 100);
      options.stream.write(
        `pulling ${options.name}: ${percent}% (${formatBytes(progress.doneBytes)} / ${formatBytes(progress.totalBytes)}, ` +
          `${formatBytes(rate)}/s) ${progress.file}\n`,
      );
    },
    finish() {},
  };
}

/** Average download rate since the first report, in bytes per second (resumed bytes do not count). */
function speedMeter(now: () => number): (doneBytes: number) => number {
  let first: { time: number; bytes: number } | undefined;
  return (doneBytes) => {
    const time = now();
    first ??= { time, bytes: doneBytes };
    const seconds = (time - first.time) / 1000;
    return seconds > 0 ? (doneBytes - first.bytes) / seconds : 0;
  };
}
