import cliProgress from 'cli-progress';
import type { PullProgress } from './model-download.ts';
import { formatBytes } from './model.types.ts';

/** Receives pull progress and shows it to a person. */
export interface PullProgressReporter {
  onProgress(progress: PullProgress): void;
  /** Stops the bar (or prints nothing more); call once when the pull ends, however it ends. */
  finish(): void;
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
