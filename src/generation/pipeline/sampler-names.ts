/**
 * Scheduler names as AUTOMATIC1111 writes them in its infotext, so other tools recognise the
 * sampler. A1111 calls diffusers' PNDM (with `skip_prk_steps`) "PLMS".
 */
import type { SchedulerName } from '../engine.types.ts';

const A1111_LABELS: Record<SchedulerName, string> = {
  euler: 'Euler',
  'euler-ancestral': 'Euler a',
  ddim: 'DDIM',
  'dpmpp-2m': 'DPM++ 2M',
  lms: 'LMS',
  pndm: 'PLMS',
  lcm: 'LCM',
};

/** A1111's label, e.g. `Euler a`, `DPM++ 2M Karras` (Karras sigmas only exist for DPM++ 2M and LMS). */
export function a1111SamplerName(name: SchedulerName, karrasSigmas: boolean): string {
  const label = A1111_LABELS[name];
  return karrasSigmas && (name === 'dpmpp-2m' || name === 'lms') ? `${label} Karras` : label;
}
