/**
 * Which onnxruntime execution providers to try, in order, and what this build can offer.
 * onnxruntime-node does not fall back by itself: asking for `cuda` without the CUDA libraries
 * throws "Failed to load shared library" at session creation (shared notes §0.7), so the session
 * factory walks this list and remembers providers that failed to load.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { listSupportedBackends } from 'onnxruntime-node';
import type { ExecutionProviderChoice } from './onnx.types.ts';

/** Providers to try for a choice on a platform; always ends with 'cpu'. */
export function providerCandidates(choice: ExecutionProviderChoice, platform: NodeJS.Platform): string[] {
  if (choice === 'cpu') return ['cpu'];
  if (choice !== 'auto') return [choice, 'cpu'];
  const accelerators: string[] = [];
  if (platform === 'linux' || platform === 'win32') accelerators.push('cuda');
  if (platform === 'win32') accelerators.push('dml');
  if (platform === 'darwin') accelerators.push('coreml');
  return [...accelerators, 'cpu'];
}

/** Providers that failed to load in this process, with the reason (not retried). */
const unavailable = new Map<string, string>();

export function markProviderUnavailable(provider: string, reason: string): void {
  unavailable.set(provider, reason);
}

const warned = new Set<string>();

/** True the first time it is called for a provider: the fallback warning is logged once per process. */
export function firstFallbackWarning(provider: string): boolean {
  if (warned.has(provider)) return false;
  warned.add(provider);
  return true;
}

/** The recorded load failure of a provider, or undefined when it has not failed. */
export function providerFailure(provider: string): string | undefined {
  return unavailable.get(provider);
}

/**
 * True when an error from session creation means the provider itself could not load (missing
 * shared library, not compiled in), rather than a problem with the model.
 */
export function isProviderLoadFailure(message: string): boolean {
  return /failed to load (shared )?library|backend not found|no available backend|not supported|adapter/i.test(message);
}

function bindingDirectory(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    const platformDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(platformDir) ? platformDir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Execution providers this onnxruntime-node install can offer (for `darkroom doctor`): those
 * bundled with the binding plus those whose provider library is installed next to it, minus any
 * that already failed to load in this process. "Offered" is not "works": a GPU provider may still
 * fail at session creation (no device, wrong driver), and then sessions fall back to CPU.
 */
export function availableExecutionProviders(): string[] {
  const directory = bindingDirectory();
  const hasLibrary = (name: string): boolean =>
    directory !== undefined &&
    ['.so', '.dll', '.dylib'].some((suffix) => existsSync(path.join(directory, `libonnxruntime_providers_${name}${suffix}`)) ||
      existsSync(path.join(directory, `onnxruntime_providers_${name}${suffix}`)));
  return listSupportedBackends()
    .filter((backend) => backend.bundled || hasLibrary(backend.name))
    .map((backend) => backend.name)
    .filter((name) => !unavailable.has(name));
}
