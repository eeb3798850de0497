/**
 * An engine whose jobs wait at a gate before they run, so a test can hold a job "running" for
 * as long as it needs (a queue that does not move until the test says so) instead of guessing
 * how long a step takes on a loaded machine. Jobs whose prompt contains a gate's word wait
 * until {@link GatedImageEngine.open} opens that gate; others run at once.
 */
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';

export class GatedImageEngine implements ImageEngine {
  readonly #gates = new Map<string, { opened: Promise<void>; open: () => void }>();
  /** Words of the gates jobs are waiting at now. */
  readonly waiting = new Set<string>();

  constructor(private readonly inner: ImageEngine) {}

  /** Lets the jobs waiting at `word` (and later ones) through. */
  open(word: string): void {
    this.#gate(word).open();
  }

  generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#afterGate(request.prompt, () => this.inner.generate(request, options));
  }

  upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#afterGate(request.prompt, () => this.inner.upscale(png, request, options));
  }

  async #afterGate(prompt: string, run: () => Promise<GenerationResult>): Promise<GenerationResult> {
    const word = [...this.#gates.keys()].find((candidate) => prompt.includes(candidate));
    if (word !== undefined) {
      this.waiting.add(word);
      await this.#gate(word).opened;
      this.waiting.delete(word);
    }
    return run();
  }

  /** Declares a gate (closed) for jobs whose prompt contains `word`. */
  hold(word: string): void {
    this.#gate(word);
  }

  #gate(word: string): { opened: Promise<void>; open: () => void } {
    let gate = this.#gates.get(word);
    if (gate === undefined) {
      let open: () => void = () => undefined;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gate = { opened, open };
      this.#gates.set(word, gate);
    }
    return gate;
  }
}
