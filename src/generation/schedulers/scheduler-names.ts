/**
 * Scheduler names accepted everywhere (config, catalog, slash commands, CLI, stored jobs). A leaf
 * module: the contract (`engine.types.ts`) and the schedulers' own types name schedulers without
 * loading the registry and every scheduler class (`scheduler-registry.ts` has one row per name).
 */
export const SCHEDULER_NAMES = [
  'euler',
  'euler-karras',
  'euler-ancestral',
  'ddim',
  'dpmpp-2m',
  'dpmpp-2m-karras',
  'lms',
  'lms-karras',
  'pndm',
  'lcm',
] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
