/** Runs `node bin/darkroom.mjs …` as a person would, in a temp folder with its own environment. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
