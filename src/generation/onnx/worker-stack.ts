/**
 * The stack the session host's worker thread gets. Node gives a worker a 4 MB stack by default,
 * but onnxruntime 1.30 creates its environment (on the first session) with a recursive scan of
 * `/proc/self/cmdline` that uses about 290 bytes of native stack per byte of the command line
 * (measured: 4 MB overflows at ~15 KB, 8 MB at ~29 KB, 16 MB at ~58 KB, 32 MB at ~117 KB). A long
 * prompt passed to `darkroom generate` therefore crashed the whole process with SIGSEGV. The
 * stack is sized from the actual command line with a margin; it is address space, not memory:
 * only the pages the thread touches are ever committed.
 */
import { readFileSync } from 'node:fs';

/** Native stack bytes reserved per command-line byte (≈1.8× the 290 measured). */
export const STACK_BYTES_PER_COMMAND_LINE_BYTE = 512;
/** Stack for everything else the worker does (session creation, runs, JavaScript). */
export const BASE_STACK_MB = 16;

const MIB = 1024 * 1024;

/** Bytes of this process's command line as the kernel holds it (`/proc/self/cmdline`, NUL-separated). */
export function commandLineBytes(): number {
  try {
    return readFileSync('/proc/self/cmdline').length;
  } catch {
    // No procfs (macOS, Windows): the same count from what Node was started with.
    const parts = [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
    return parts.reduce((total, part) => total + Buffer.byteLength(part) + 1, 0);
  }
}

/** `resourceLimits.stackSizeMb` for the session host worker of a process with a command line of `bytes`. */
export function sessionHostStackSizeMb(bytes: number): number {
  return BASE_STACK_MB + Math.ceil((bytes * STACK_BYTES_PER_COMMAND_LINE_BYTE) / MIB);
}
