/**
 * Progress of `darkroom generate`: one redrawn cli-progress bar on a terminal; elsewhere (logs,
 * CI, tests) plain `step i/N` lines, about ten per phase so a 150-step job stays readable.
 */
import cliProgress from 'cli-progress';

/** Receives denoising steps of one phase at a time (the generation, then each upscale). */
export interface StepProgressReporter {
  /** Reports step `step` of `totalSteps` in the phase named `label`; a new label starts a new bar. */
  step(label: string, step: number, totalSteps: number): void;
  /** Ends the current bar (if any); call once the work ends, however it ends. */
  finish(): void;
}

export interface StepProgressOptions {
  /** stderr is a terminal: draw a bar instead of lines. */
  interactive: boolean;
  /** The terminal the bar is drawn on (process.stderr). */
  stream: NodeJS.WritableStream;
  /** Writes one plain line (without newline), for non-interactive output. */
  line: (text: string) => void;
}

/** Lines a non-interactive phase prints at most (plus the last step). */
const PLAIN_LINES_PER_PHASE = 10;

export function createStepProgressReporter(options: StepProgressOptions): StepProgressReporter {
  return options.interactive ? barReporter(options.stream) : lineReporter(options.line);
}

function barReporter(stream: NodeJS.WritableStream): StepProgressReporter {
  let current: { label: string; bar: cliProgress.SingleBar } | undefined;
  const finish = (): void => {
    current?.bar.stop();
    current = undefined;
  };
  return {
    step(label, step, totalSteps) {
      if (current?.label !== label) {
        finish();
        const bar = new cliProgress.SingleBar(
          { stream, format: `${label} {bar} {value}/{total} steps | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalSteps, 0);
        current = { label, bar };
      }
      current.bar.setTotal(totalSteps);
      current.bar.update(step);
    },
    finish,
  };
}

function lineReporter(line: (text: string) => void): StepProgressReporter {
  let lastLabel: string | undefined;
  return {
    step(label, step, totalSteps) {
      const every = Math.max(1, Math.ceil(totalSteps / PLAIN_LINES_PER_PHASE));
      const first = label !== lastLabel;
      lastLabel = label;
      if (first || step === totalSteps || step % every === 0) line(`${label}: step ${step}/${totalSteps}`);
    },
    finish() {},
  };
}
