/**
 * TAESD vs the model's VAE (`npm run bench -- engine-decoders`; also part of
 * `npm run bench -- engine`): per-phase RSS and times at 512² and 768² on sd15-topology + taesd,
 * each variant in its own process (see `engine-decoders.ts`). Heavy: run it under
 * `flock /tmp/darkroom-heavy.lock`. Prints one JSON object on stdout.
 */
import os from 'node:os';
import { measureDecoders } from './engine-decoders.ts';

const figures = await measureDecoders();
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: os.availableParallelism(), decoders: figures })}\n`);
