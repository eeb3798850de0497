import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the project checkout. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The team's read-only `shared/` folder (fixtures, reference data), which CI places next to
 * the clone. `DARKROOM_SHARED_DIR` overrides. `undefined` when absent: tests that need it
 * skip with a visible reason (see {@link sharedSkipReason}).
 */
export const sharedDir: string | undefined = (() => {
  const candidates = [process.env['DARKROOM_SHARED_DIR'], path.resolve(projectRoot, '..', 'shared')];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(path.join(dir, 'fixtures')));
})();

/** Text to put in a describe() title so a skip says why. */
export const sharedSkipReason = sharedDir ? '' : ' [skipped: ../shared not found next to the project]';

/** Path inside shared/, or undefined when shared/ is absent. */
export function sharedPath(...parts: string[]): string | undefined {
  return sharedDir ? path.join(sharedDir, ...parts) : undefined;
}
