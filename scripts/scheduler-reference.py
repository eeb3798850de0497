#!/usr/bin/python3
"""Reference timesteps and sigmas for a scheduler swap on an SD 1.x folder, as diffusers computes them.

The case: an original SD 1.x `scheduler_config.json` (PNDMScheduler, no `timestep_spacing`, like
CompVis/stable-diffusion-v1-4) and `XScheduler.from_config(pipe.scheduler.config, **extra)`.
diffusers' `ConfigMixin.extract_init_dict` drops the keys listed in `_use_default_values` (those the
file did not set), so every missing key takes X's own `__init__` default: `timestep_spacing`
"linspace" for Euler, LMS and DPM-Solver multistep, "leading" for DDIM.

No torch here: the `set_timesteps` formulas below are copied from diffusers v0.35 (numpy, as in
diffusers), and `alphas_cumprod` follows torch's CPU kernels: `torch.linspace(..., dtype=float32)`
(float32 step, filled from both ends) squared, and `torch.cumprod` (float64 running product,
rounded to float32 per element).

Run: python3 scripts/scheduler-reference.py > test/fixtures/reference/scheduler-from-config.json
"""
import json

import numpy as np

SD1_FILE = {
    '_class_name': 'PNDMScheduler',
    '_diffusers_version': '0.2.2',
    'beta_end': 0.012,
    'beta_schedule': 'scaled_linear',
    'beta_start': 0.00085,
    'num_train_timesteps': 1000,
    'set_alpha_to_one': False,
    'skip_prk_steps': True,
    'steps_offset': 1,
    'trained_betas': None,
    'clip_sample': False,
}
STEPS = 20


def torch_linspace_f32(start, end, steps):
    start, end = np.float32(start), np.float32(end)
    step = np.float32((end - start) / np.float32(steps - 1))
    half = steps // 2
    out = np.empty(steps, dtype=np.float32)
    for i in range(steps):
        # torch computes start + step*i (or end - step*(steps-i-1)) with one rounding (fma)
        out[i] = np.float32(float(start) + float(step) * i) if i < half else np.float32(float(end) - float(step) * (steps - i - 1))
    return out


def alphas_cumprod(config):
    n = config['num_train_timesteps']
    betas = torch_linspace_f32(config['beta_start'] ** 0.5, config['beta_end'] ** 0.5, n)
    betas = (betas * betas).astype(np.float32)
    alphas = (np.float32(1) - betas).astype(np.float32)
    out = np.empty(n, dtype=np.float32)
    product = 1.0
    for i, alpha in enumerate(alphas):
        product *= float(alpha)
        out[i] = np.float32(product)
    return out


def train_sigmas(cumprod):
    # torch float32: ((1 - a) / a) ** 0.5, then np.array(...)
    return np.sqrt(((np.float32(1) - cumprod) / cumprod).astype(np.float32)).astype(np.float32)


def sigma_to_t(sigma, log_sigmas):
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, np.newaxis]
    low_idx = np.cumsum((dists >= 0), axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    high_idx = low_idx + 1
    low = log_sigmas[low_idx]
    high = log_sigmas[high_idx]
    w = np.clip((low - log_sigma) / (low - high), 0, 1)
    t = (1 - w) * low_idx + w * high_idx
    return t.reshape(sigma.shape)


def convert_to_karras(in_sigmas, steps):
    sigma_min, sigma_max = float(in_sigmas[-1]), float(in_sigmas[0])
    rho = 7.0
    ramp = np.linspace(0, 1, steps)
    min_inv_rho = sigma_min ** (1 / rho)
    max_inv_rho = sigma_max ** (1 / rho)
    return (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho


def euler_like(config, karras):
    """EulerDiscreteScheduler / LMSDiscreteScheduler.set_timesteps, timestep_spacing linspace (their default)."""
    n = config['num_train_timesteps']
    timesteps = np.linspace(0, n - 1, STEPS, dtype=np.float32)[::-1].copy()
    sigmas = train_sigmas(alphas_cumprod(config))
    log_sigmas = np.log(sigmas)
    sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
    if karras:
        sigmas = convert_to_karras(sigmas, STEPS)
        timesteps = np.array([sigma_to_t(np.array(sigma), log_sigmas) for sigma in sigmas])
    sigmas = np.concatenate([sigmas, [0.0]]).astype(np.float32)
    return timesteps.astype(np.float32), sigmas


def dpm_multistep(config, karras):
    """DPMSolverMultistepScheduler.set_timesteps, timestep_spacing linspace (its default), final σ zero."""
    n = config['num_train_timesteps']
    timesteps = np.linspace(0, n - 1, STEPS + 1).round()[::-1][:-1].copy().astype(np.int64)
    sigmas = train_sigmas(alphas_cumprod(config))
    log_sigmas = np.log(sigmas)
    if karras:
        sigmas = np.flip(sigmas).copy()
        sigmas = convert_to_karras(sigmas, STEPS)
        timesteps = np.array([sigma_to_t(np.array(sigma), log_sigmas) for sigma in sigmas]).round()
    else:
        sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
    sigmas = np.concatenate([sigmas, [0.0]]).astype(np.float32)
    return timesteps.astype(np.int64), sigmas


def ddim(config):
    """DDIMScheduler.set_timesteps, timestep_spacing leading (its default) with the file's steps_offset 1."""
    ratio = config['num_train_timesteps'] // STEPS
    timesteps = (np.arange(0, STEPS) * ratio).round()[::-1].copy().astype(np.int64)
    return timesteps + config['steps_offset']


def listed(values):
    return [float(value) for value in values]


cases = {}
for name, (fn, karras) in {
    'euler': (euler_like, False),
    'euler-karras': (euler_like, True),
    'lms': (euler_like, False),
    'lms-karras': (euler_like, True),
    'dpmpp-2m': (dpm_multistep, False),
    'dpmpp-2m-karras': (dpm_multistep, True),
}.items():
    timesteps, sigmas = fn(SD1_FILE, karras)
    cases[name] = {'timesteps': listed(timesteps), 'sigmas': listed(sigmas)}
cases['ddim'] = {'timesteps': listed(ddim(SD1_FILE)), 'sigmas': None}

print(json.dumps({
    'about': 'diffusers v0.35 XScheduler.from_config(<SD 1.x PNDM config without timestep_spacing>) then set_timesteps(%d); '
             'generated by scripts/scheduler-reference.py (numpy %s)' % (STEPS, np.__version__),
    'config': SD1_FILE,
    'steps': STEPS,
    'cases': cases,
}, indent=1))
