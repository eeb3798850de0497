/**
 * Upscale-path memory benchmark (`npm run bench -- engine-upscale`; also part of
 * `npm run bench -- engine`): peak RSS of a 512², 1024² and 2048² hires-fix result on the shared
 * `sd15-topology` model, each upscale in its own process (see `support/upscale-memory.ts`).
 * Heavy: run it under `flock /tmp/darkroom-heavy.lock`. Prints one JSON object on stdout.
 *
 * DARKROOM_BENCH_PROJECT_DIR runs the upscales from another checkout (e.g. an older commit, for
 * "before" figures); DARKROOM_BENCH_RSS_CAP_GIB sets the watchdog cap (default 16 GiB).
 */
import os from 'node:os';
import { measureUpscaleMemory } from './support/upscale-memory.ts';

const capGiB = Number(process.env['DARKROOM_BENCH_RSS_CAP_GIB'] ?? 16);
const figures = await measureUpscaleMemory({ projectDir: process.env['DARKROOM_BENCH_PROJECT_DIR'], capGiB });
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: os.availableParallelism(), upscaleMemory: figures })}\n`);
