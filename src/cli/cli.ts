/**
 * The `darkroom` command (bin/darkroom.mjs calls {@link runCli}). Each sub-command lives in its
 * own `*.command.ts` and registers itself on the commander program.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { readProcessEnvironment } from '../config/process-environment.ts';
import type { CliContext, CliIo } from './cli-context.ts';
import { EXIT, createCliContext } from './cli-context.ts';
import { registerDbCommand } from './db.command.ts';
import { registerDoctorCommand } from './doctor.command.ts';
import { registerModelsCommand } from './models.command.ts';
import { registerStartCommand } from './start.command.ts';
import { registerWorkerCommand } from './worker.command.ts';

/**
 * `generate` pulls in the whole engine (onnxruntime, sharp, the pipeline); loaded on its own so
 * that a broken engine install still leaves `start`, `db`, `models` and `doctor` working, and
 * `generate` itself says what failed.
 */
async function registerGenerate(program: Command, context: CliContext): Promise<void> {
  try {
    const { registerGenerateCommand } = await import('./generate.command.ts');
    registerGenerateCommand(program, context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    program
      .command('generate')
      .description('generate an image from the command line (unavailable: the engine failed to load)')
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        context.err(`darkroom generate is unavailable: the engine failed to load: ${reason}`);
        context.exitCode = EXIT.failure;
      });
  }
}

/**
 * The version in package.json, read as text (no JSON module import, nothing heavy): the same
 * relative path works from `src/cli/` and from the compiled `dist/cli/`.
 */
export function darkroomVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with explicit input and output (tests use this); returns the exit code. */
export async function runCliWith(argv: readonly string[], io: CliIo): Promise<number> {
  const context = createCliContext(io);
  const program = new Command('darkroom')
    .description('Darkroom: a self-hosted Discord and Slack bot that develops realistic photos with Stable Diffusion')
    .version(darkroomVersion(), '-V, --version', 'print the Darkroom version')
    // After a usage mistake: the error and a pointer to the help, not the whole help text.
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });
  registerStartCommand(program, context);
  registerWorkerCommand(program, context);
  await registerGenerate(program, context);
  registerModelsCommand(program, context);
  registerDbCommand(program, context);
  registerDoctorCommand(program, context);
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 failure or not ready, 2 configuration problems.\nConfiguration: config/default.yaml (every option), config/local.yaml, environment (.env).',
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version are successes; a usage mistake has already been printed by commander.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.failure;
  }
  return context.exitCode;
}

/** Runs the CLI against the real process: `.env` in the current folder, stdout and stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const workingDir = process.cwd();
  const { env, envFile } = readProcessEnvironment(workingDir);
  return runCliWith(argv, {
    env,
    envFile,
    workingDir,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}
