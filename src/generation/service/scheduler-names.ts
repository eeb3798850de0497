/**
 * Scheduler names people type: ours (`dpmpp-2m`), AUTOMATIC1111's labels (`DPM++ 2M Karras`,
 * `Euler a`) and k-diffusion's (`k_euler_a`). Matching ignores case, spaces, `-` and `_`.
 */
import { SCHEDULER_NAMES, type SchedulerName } from '../engine.types.ts';

const ALIASES: Record<string, SchedulerName> = {
  euler: 'euler',
  keuler: 'euler',
  eulera: 'euler-ancestral',
  eulerancestral: 'euler-ancestral',
  keulera: 'euler-ancestral',
  keulerancestral: 'euler-ancestral',
  ddim: 'ddim',
  dpmpp2m: 'dpmpp-2m',
  dpmpp2mkarras: 'dpmpp-2m',
  kdpmpp2m: 'dpmpp-2m',
  dpmsolvermultistep: 'dpmpp-2m',
  lms: 'lms',
  klms: 'lms',
  lmskarras: 'lms',
  pndm: 'pndm',
  plms: 'pndm',
  lcm: 'lcm',
};

function normalize(text: string): string {
  return text.toLowerCase().replace(/\+\+/g, 'pp').replace(/[^a-z0-9]/g, '');
}

/** Our scheduler name for what a person typed, or undefined. */
export function parseSchedulerName(text: string): SchedulerName | undefined {
  return ALIASES[normalize(text)];
}

/** Whether a stored string is one of our scheduler names. */
export function isSchedulerName(text: string): text is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(text);
}
