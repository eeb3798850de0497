/**
 * Scheduler names people type: ours (`dpmpp-2m-karras`), AUTOMATIC1111's labels (`DPM++ 2M Karras`,
 * `Euler a`) and k-diffusion's (`k_euler_a`). The names and aliases live in the schedulers'
 * registry; this module only gives the service its import path.
 */
export { isSchedulerName, parseSchedulerName } from '../schedulers/scheduler-registry.ts';
