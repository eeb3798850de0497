/** How configuration problems are printed: every one, with the option or variable to fix. */
import type { ConfigProblem } from '../config/config.types.ts';
import { shownPath as shortPath } from '../lifecycle/readiness.ts';

export function formatConfigProblems(problems: readonly ConfigProblem[], workingDir: string): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => {
    if (problem.path === problem.source) return `  ${shortPath(problem.path, workingDir)}: ${problem.message}`;
    const where = problem.source === 'environment' ? 'environment variable' : shortPath(problem.source, workingDir);
    return `  ${problem.path}: ${problem.message}  [${where}]`;
  });
  return [
    `Darkroom's configuration has ${count}:`,
    ...lines,
    'Fix them and run the command again; config/default.yaml describes every option.',
  ].join('\n');
}
