/** Runs `node bin/darkroom.mjs …` as a person would, in a temp folder with its own environment. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { projectRoot } from '../../support/shared-dir.ts';

export const darkroomBin = path.join(projectRoot, 'bin', 'darkroom.mjs');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A clean environment: nothing inherited that could change Darkroom's behaviour (tokens,
 * DATABASE_URL, LOG_LEVEL from the developer's shell), only what a process needs to run.
 */
export function cleanEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT', 'LANG'];
  const base = Object.fromEntries(keep.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]]] : [])));
  return { ...base, ...overrides };
}

export interface Running {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  finished: Promise<Finished>;
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string): Promise<void>;
}

export function startDarkroomProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [darkroomBin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
    for (const waiter of waiters.filter((item) => output.stdout.includes(item.text))) waiter.resolve();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, ...output })),
  );
  return {
    child,
    output,
    finished,
    waitForStdout: (text) =>
      new Promise<void>((resolve, reject) => {
        if (output.stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void finished.then((result) => reject(new Error(`exited (${result.code}) before printing ${text}:\n${result.stdout}\n${result.stderr}`)));
      }),
  };
}

export function runDarkroom(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Finished> {
  return startDarkroomProcess(args, cwd, env).finished;
}

/**
 * A model folder with the files a diffusers ONNX folder must have, all empty: enough for the
 * start-up check (which reads the folder, not the weights) while no engine loads sessions.
 */
export function writePlaceholderModel(folder: string): void {
  for (const dir of ['unet', 'text_encoder', 'vae_decoder', 'scheduler', 'tokenizer']) mkdirSync(path.join(folder, dir), { recursive: true });
  for (const file of ['unet/model.onnx', 'text_encoder/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/merges.txt']) {
    writeFileSync(path.join(folder, file), '');
  }
  writeFileSync(path.join(folder, 'scheduler', 'scheduler_config.json'), '{}');
  writeFileSync(path.join(folder, 'tokenizer', 'vocab.json'), '{}');
  writeFileSync(path.join(folder, 'model_index.json'), '{}');
}

/** A throw-away folder to run Darkroom in: run from `cwd`, with `env` naming its folders; the caller removes `root`. */
export interface DarkroomSandbox {
  root: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A folder where `start` and `doctor` find a placeholder default model (autoPull off), so only
 * what a test is about decides: `cwd/`, `config/local.yaml` (the `engine:` lines plus `engine`),
 * `models/placeholder/`, and with `migrated` a data folder whose database is already migrated
 * (for tests that are not about a first start). `env` adds to the folders' variables.
 */
export function placeholderSandbox(
  name: string,
  options: { migrated: boolean; engine?: readonly string[] },
  env: Record<string, string>,
): DarkroomSandbox {
  const root = mkdtempSync(path.join(tmpdir(), `darkroom-${name}-`));
  for (const dir of ['cwd', 'config']) mkdirSync(path.join(root, dir));
  const engine = ['  defaultModel: placeholder', '  autoPull: false', ...(options.engine ?? [])];
  writeFileSync(path.join(root, 'config', 'local.yaml'), ['engine:', ...engine, ''].join('\n'));
  writePlaceholderModel(path.join(root, 'models', 'placeholder'));
  if (options.migrated) seedMigratedDataDir(path.join(root, 'data'));
  return {
    root,
    cwd: path.join(root, 'cwd'),
    env: cleanEnvironment({
      DARKROOM_DATA_DIR: path.join(root, 'data'),
      DARKROOM_MODELS_DIR: path.join(root, 'models'),
      DARKROOM_CONFIG_DIR: path.join(root, 'config'),
      ...env,
    }),
  };
}
