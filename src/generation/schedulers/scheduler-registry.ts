/**
 * The one list of schedulers. Every place a scheduler can be named derives from it: config and
 * catalog validation, CLI `--scheduler`, Discord choices, prompt flags and `/settings` (aliases),
 * the folder's default (diffusers class), the A1111 `Sampler:` in PNG metadata, and the factory.
 * A `…-karras` entry is the same diffusers class with `use_karras_sigmas=True`, as A1111's
 * "DPM++ 2M Karras" / "LMS Karras" are.
 */
import { DdimScheduler } from './ddim.scheduler.ts';
import { DpmSolverMultistepScheduler } from './dpmpp-2m.scheduler.ts';
import { EulerAncestralScheduler } from './euler-ancestral.scheduler.ts';
import { EulerScheduler } from './euler.scheduler.ts';
import { LcmScheduler } from './lcm.scheduler.ts';
import { LmsScheduler } from './lms.scheduler.ts';
import { PndmScheduler } from './pndm.scheduler.ts';
import { SCHEDULER_NAMES, type SchedulerName } from './scheduler-names.ts';
import type { Scheduler, SchedulerConfig } from './scheduler.types.ts';

export { SCHEDULER_NAMES, type SchedulerName } from './scheduler-names.ts';

/** One scheduler as people name it and as it runs. */
export interface SchedulerEntry {
  readonly name: SchedulerName;
  /** What people read in chat (Discord choices, `/settings`). */
  readonly label: string;
  /** AUTOMATIC1111's `Sampler:` label, for the PNG infotext. */
  readonly a1111Label: string;
  /** The diffusers class with the same maths. */
  readonly diffusersClass: string;
  /** Runs with `use_karras_sigmas=True` (Karras et al. 2022 noise levels). */
  readonly karras: boolean;
  /** Other names people type (A1111, k-diffusion); matched like {@link parseSchedulerName}. */
  readonly aliases: readonly string[];
  /** A fresh scheduler, configured like `XScheduler.from_config(config)` plus this entry's sigmas. */
  create(config: SchedulerConfig): Scheduler;
}

type EntryFields = Omit<SchedulerEntry, 'name'>;

/** The karras flag wins over the file: "DPM++ 2M" is plain even on a folder that sets Karras. */
function sigmas(config: SchedulerConfig, karras: boolean): SchedulerConfig {
  if (config.useKarrasSigmas === karras && !(karras && config.useExponentialSigmas === true)) return config;
  return { ...config, useKarrasSigmas: karras, useExponentialSigmas: karras ? false : config.useExponentialSigmas };
}

const ENTRIES: Record<SchedulerName, EntryFields> = {
  euler: {
    label: 'Euler',
    a1111Label: 'Euler',
    diffusersClass: 'EulerDiscreteScheduler',
    karras: false,
    aliases: ['k_euler'],
    create: (config) => new EulerScheduler(sigmas(config, false)),
  },
  'euler-karras': {
    label: 'Euler Karras',
    a1111Label: 'Euler Karras',
    diffusersClass: 'EulerDiscreteScheduler',
    karras: true,
    aliases: ['k_euler_karras'],
    create: (config) => new EulerScheduler(sigmas(config, true)),
  },
  'euler-ancestral': {
    label: 'Euler a',
    a1111Label: 'Euler a',
    diffusersClass: 'EulerAncestralDiscreteScheduler',
    karras: false,
    aliases: ['euler ancestral', 'k_euler_a', 'k_euler_ancestral'],
    create: (config) => new EulerAncestralScheduler(config),
  },
  ddim: {
    label: 'DDIM',
    a1111Label: 'DDIM',
    diffusersClass: 'DDIMScheduler',
    karras: false,
    aliases: [],
    create: (config) => new DdimScheduler(config),
  },
  'dpmpp-2m': {
    label: 'DPM++ 2M',
    a1111Label: 'DPM++ 2M',
    diffusersClass: 'DPMSolverMultistepScheduler',
    karras: false,
    aliases: ['k_dpmpp_2m', 'dpm solver multistep'],
    create: (config) => new DpmSolverMultistepScheduler(sigmas(config, false)),
  },
  'dpmpp-2m-karras': {
    label: 'DPM++ 2M Karras',
    a1111Label: 'DPM++ 2M Karras',
    diffusersClass: 'DPMSolverMultistepScheduler',
    karras: true,
    aliases: ['k_dpmpp_2m_karras'],
    create: (config) => new DpmSolverMultistepScheduler(sigmas(config, true)),
  },
  lms: {
    label: 'LMS',
    a1111Label: 'LMS',
    diffusersClass: 'LMSDiscreteScheduler',
    karras: false,
    aliases: ['k_lms'],
    create: (config) => new LmsScheduler(sigmas(config, false)),
  },
  'lms-karras': {
    label: 'LMS Karras',
    a1111Label: 'LMS Karras',
    diffusersClass: 'LMSDiscreteScheduler',
    karras: true,
    aliases: ['k_lms_karras'],
    create: (config) => new LmsScheduler(sigmas(config, true)),
  },
  pndm: {
    // A1111's "PLMS" is diffusers' PNDM with skip_prk_steps (as SD 1.x folders set it).
    label: 'PLMS (PNDM)',
    a1111Label: 'PLMS',
    diffusersClass: 'PNDMScheduler',
    karras: false,
    aliases: ['plms'],
    create: (config) => new PndmScheduler(config),
  },
  lcm: {
    label: 'LCM',
    a1111Label: 'LCM',
    diffusersClass: 'LCMScheduler',
    karras: false,
    aliases: [],
    create: (config) => new LcmScheduler(config),
  },
};

/** Every scheduler, in {@link SCHEDULER_NAMES} order. */
export const SCHEDULERS: readonly SchedulerEntry[] = SCHEDULER_NAMES.map((name) => Object.freeze({ name, ...ENTRIES[name] }));

/** The registry entry of a name. */
export function schedulerEntry(name: SchedulerName): SchedulerEntry {
  return SCHEDULERS[SCHEDULER_NAMES.indexOf(name)]!;
}

/** Case, spaces, `-`, `_` and `+`/`p` spelling do not matter: `DPM++ 2M Karras` = `dpmpp-2m-karras`. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\+\+/g, 'pp').replace(/[^a-z0-9]/g, '');
}

function buildLookup(): ReadonlyMap<string, SchedulerName> {
  const lookup = new Map<string, SchedulerName>();
  for (const entry of SCHEDULERS) {
    const spellings = [entry.name, entry.label, entry.a1111Label, ...entry.aliases];
    for (const key of new Set(spellings.map(normalize))) {
      const taken = lookup.get(key);
      if (taken !== undefined && taken !== entry.name) throw new Error(`scheduler alias ${key} names both ${taken} and ${entry.name}`);
      lookup.set(key, entry.name);
    }
  }
  return lookup;
}

const LOOKUP = buildLookup();

/** Our scheduler name for what a person typed (ours, A1111's or k-diffusion's), or undefined. */
export function parseSchedulerName(text: string): SchedulerName | undefined {
  return LOOKUP.get(normalize(text));
}

/** Whether a stored string is exactly one of our scheduler names. */
export function isSchedulerName(text: string): text is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(text);
}

/**
 * The scheduler a folder's `scheduler_config.json` loads as (its `_class_name`, Karras or not), or
 * undefined for classes without an equivalent here (UniPC, DDPM…).
 */
export function schedulerForClass(className: string | undefined, useKarrasSigmas: boolean): SchedulerName | undefined {
  const candidates = SCHEDULERS.filter((entry) => entry.diffusersClass === className);
  return (candidates.find((entry) => entry.karras === useKarrasSigmas) ?? candidates[0])?.name;
}

/**
 * The scheduler a run uses, decided here once for every caller (the pipeline that runs it, the
 * engine that labels an upscale): the one asked for, else the folder's own class, else LCM for a
 * UNet distilled for it (the only sampler it is made for), else Euler.
 */
export function chooseScheduler(requested: SchedulerName | undefined, folderDefault: SchedulerName | undefined, lcmUnet: boolean): SchedulerName {
  return requested ?? folderDefault ?? (lcmUnet ? 'lcm' : 'euler');
}

/**
 * The A1111 `Sampler:` label of what ran. PNDM is A1111's "PLMS" only when it skips the
 * Runge-Kutta warm-up (`skip_prk_steps`); otherwise it is named "PNDM".
 */
export function a1111SamplerLabel(name: SchedulerName, config: SchedulerConfig | undefined): string {
  if (name === 'pndm' && config !== undefined && config.skipPrkSteps !== true) return 'PNDM';
  return schedulerEntry(name).a1111Label;
}
