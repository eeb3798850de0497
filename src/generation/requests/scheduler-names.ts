/**
 * Scheduler names people type: ours (`dpmpp-2m-karras`), AUTOMATIC1111's labels (`DPM++ 2M Karras`,
 * `Euler a`) and k-diffusion's (`k_euler_a`), and the choices people pick from. The names, labels
 * and aliases live in the schedulers' registry; this module gives the requests room and the chat
 * adapters (which may not import the schedulers) their import path.
 */
import { SCHEDULERS } from '../schedulers/scheduler-registry.ts';
import type { SchedulerName } from '../schedulers/scheduler-names.ts';

export { isSchedulerName, parseSchedulerName } from '../schedulers/scheduler-registry.ts';

/** One pick per scheduler, in the registry's order: the label people read and the name stored. */
export const SCHEDULER_CHOICES: readonly { readonly label: string; readonly name: SchedulerName }[] = SCHEDULERS.map(({ label, name }) => ({ label, name }));
