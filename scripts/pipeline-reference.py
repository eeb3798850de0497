#!/usr/bin/python3
"""Replays a Darkroom pipeline trace in PyTorch, in Hugging Face diffusers' order of operations.

Darkroom's tests record what the TypeScript pipeline fed its ONNX sessions (UNet sample/timestep and
output at every step, VAE encoder output, VAE decoder input). This script recomputes the same run the
way diffusers' StableDiffusionPipeline / StableDiffusionImg2ImgPipeline do it, with real torch
generators (`generator=[torch.Generator().manual_seed(seed + i) ...]`, `randn_tensor` per image),
float32 tensor maths, and EulerAncestralDiscreteScheduler / EulerDiscreteScheduler written from
diffusers' source. The UNet is an oracle: at each step the recomputed UNet input must match the
recorded one, and the recorded output is used for the next step. Output: the largest differences and
the replayed decoder input (base64 float32).

Run: /usr/bin/python3 scripts/pipeline-reference.py TRACE.json   (Debian: apt-get install python3-torch)
"""
import base64
import json
import sys

import numpy as np
import torch


def tensor(b64, shape):
    return torch.from_numpy(np.frombuffer(base64.b64decode(b64), dtype='<f4').copy()).reshape(shape)


def randn_tensor(shape, generators):
    """diffusers.utils.torch_utils.randn_tensor with a list of generators: one draw per image."""
    return torch.cat([torch.randn((1,) + tuple(shape[1:]), generator=g, dtype=torch.float32) for g in generators])


class EulerSchedulers:
    """EulerDiscreteScheduler (s_churn = 0) and EulerAncestralDiscreteScheduler, epsilon / v_prediction."""

    def __init__(self, config, ancestral):
        self.ancestral = ancestral
        n = config.get('num_train_timesteps', 1000)
        start, end = config.get('beta_start', 0.0001), config.get('beta_end', 0.02)
        if config.get('beta_schedule', 'linear') == 'scaled_linear':
            betas = torch.linspace(start ** 0.5, end ** 0.5, n, dtype=torch.float32) ** 2
        else:
            betas = torch.linspace(start, end, n, dtype=torch.float32)
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.n = n
        self.spacing = config.get('timestep_spacing', 'linspace')
        self.offset = config.get('steps_offset', 0)
        self.prediction = config.get('prediction_type', 'epsilon')
        self.begin_index = None
        self.step_index = None

    def set_timesteps(self, steps):
        if self.spacing == 'linspace':
            timesteps = np.linspace(0, self.n - 1, steps, dtype=np.float32)[::-1].copy()
        elif self.spacing == 'leading':
            ratio = self.n // steps
            timesteps = (np.arange(0, steps) * ratio).round()[::-1].copy().astype(np.float32)
            timesteps += self.offset
        else:
            ratio = self.n / steps
            timesteps = np.arange(self.n, 0, -ratio).round().copy().astype(np.float32) - 1
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
        self.sigmas = torch.from_numpy(np.concatenate([sigmas, [0.0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(timesteps)
        self.step_index = None
        self.begin_index = None

    @property
    def init_noise_sigma(self):
        if self.spacing in ('linspace', 'trailing'):
            return self.sigmas.max()
        return (self.sigmas.max() ** 2 + 1) ** 0.5

    def set_begin_index(self, index):
        self.begin_index = index

    def _init_step_index(self, t):
        if self.begin_index is None:
            candidates = (self.timesteps == t).nonzero()
            self.step_index = (candidates[1] if len(candidates) > 1 else candidates[0]).item()
        else:
            self.step_index = self.begin_index

    def scale_model_input(self, sample, t):
        if self.step_index is None:
            self._init_step_index(t)
        sigma = self.sigmas[self.step_index]
        return sample / ((sigma ** 2 + 1) ** 0.5)

    def step(self, model_output, t, sample, generators):
        if self.step_index is None:
            self._init_step_index(t)
        sigma = self.sigmas[self.step_index]
        if self.prediction == 'epsilon':
            pred_original = sample - sigma * model_output
        else:
            pred_original = model_output * (-sigma / (sigma ** 2 + 1) ** 0.5) + (sample / (sigma ** 2 + 1))
        if self.ancestral:
            sigma_from, sigma_to = self.sigmas[self.step_index], self.sigmas[self.step_index + 1]
            sigma_up = (sigma_to ** 2 * (sigma_from ** 2 - sigma_to ** 2) / sigma_from ** 2) ** 0.5
            sigma_down = (sigma_to ** 2 - sigma_up ** 2) ** 0.5
            derivative = (sample - pred_original) / sigma
            prev = sample + derivative * (sigma_down - sigma)
            prev = prev + randn_tensor(model_output.shape, generators) * sigma_up
        else:
            derivative = (sample - pred_original) / sigma
            prev = sample + derivative * (self.sigmas[self.step_index + 1] - sigma)
        self.step_index += 1
        return prev

    def add_noise(self, original, noise, t):
        index = self.begin_index if self.begin_index is not None else (self.timesteps == t).nonzero()[0].item()
        return original + noise * self.sigmas[index]


def get_guidance_scale_embedding(w, embedding_dim=512, dtype=torch.float32):
    """diffusers LatentConsistencyModelPipeline.get_guidance_scale_embedding."""
    w = w * 1000.0
    half_dim = embedding_dim // 2
    emb = torch.log(torch.tensor(10000.0)) / (half_dim - 1)
    emb = torch.exp(torch.arange(half_dim, dtype=dtype) * -emb)
    emb = w.to(dtype)[:, None] * emb[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=1)
    if embedding_dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1))
    return emb


def check_conditioning(trace, report):
    """encode_prompt + the UNet's added conditions, from the recorded text-encoder outputs."""
    cond = trace.get('conditioning')
    if cond is None:
        return
    n = len(trace['seeds'])
    sdxl = cond['sdxl']
    parts = ['text_encoder', 'text_encoder_2'] if sdxl else ['text_encoder']

    def embeds(run_index):
        hidden, pooled = [], None
        for part in parts:
            outputs = cond['textEncoders'][part][run_index]
            if sdxl:
                declared = cond['textEncoderOutputNames'][part]
                layers = len([name for name in declared if name.startswith('hidden_states.')])
                hidden.append(tensor(*outputs[f'hidden_states.{layers - 2}']))  # hidden_states[-2]
                if part == parts[-1]:
                    pooled = tensor(*outputs['text_embeds'])  # prompt_embeds[0] of the final encoder
            else:
                hidden.append(tensor(*outputs['last_hidden_state']))
        return torch.concat(hidden, dim=-1), pooled

    positive, pooled = embeds(0)
    rows = [positive] * n
    pooled_rows = [pooled] * n
    if trace['guided']:
        # encode_prompt: zero_out_negative_prompt = negative_prompt is None and force_zeros_for_empty_prompt
        if sdxl and cond['forceZerosForEmptyPrompt'] and cond.get('negativePrompt') is None:
            negative, negative_pooled = torch.zeros_like(positive), torch.zeros_like(pooled)
        else:
            negative, negative_pooled = embeds(1)
        rows = [negative] * n + rows
        pooled_rows = [negative_pooled] * n + pooled_rows
    unet = cond['unet']
    report['encoderHiddenStates'] = float((torch.cat(rows) - tensor(*unet['encoder_hidden_states'])).abs().max())
    if sdxl:
        report['textEmbeds'] = float((torch.cat(pooled_rows) - tensor(*unet['text_embeds'])).abs().max())
        height, width = cond['height'], cond['width']
        time_ids = torch.tensor([[height, width, 0, 0, height, width]], dtype=torch.float32)  # original + crop + target
        expected = time_ids.repeat(len(pooled_rows), 1)
        report['timeIds'] = float((expected - tensor(*unet['time_ids'])).abs().max())
    if 'timestep_cond' in unet:
        w = torch.tensor(trace['guidance'] - 1).repeat(n)
        expected = get_guidance_scale_embedding(w, embedding_dim=unet['timestep_cond'][1][-1])
        report['timestepCond'] = float((expected - tensor(*unet['timestep_cond'])).abs().max())


def main(path):
    trace = json.load(open(path))
    seeds, steps, guidance = trace['seeds'], trace['steps'], trace['guidance']
    n = len(seeds)
    c, h, w = trace['latentShape']
    shape = (n, c, h, w)
    scheduler = EulerSchedulers(trace['schedulerConfig'], trace['scheduler'] == 'euler-ancestral')
    generators = [torch.Generator('cpu').manual_seed(seed) for seed in seeds]
    guided = trace['guided']
    report = {'unetInput': [], 'timestep': []}
    check_conditioning(trace, report)
    if trace['scheduler'] not in ('euler', 'euler-ancestral'):
        json.dump(report, sys.stdout)
        return

    if trace.get('img2img') is None:
        latents = randn_tensor(shape, generators)
        scheduler.set_timesteps(steps)
        timesteps = scheduler.timesteps
        latents = latents * scheduler.init_noise_sigma
    else:
        img = trace['img2img']
        scheduler.set_timesteps(steps)
        init_timestep = min(int(steps * img['strength']), steps)
        t_start = max(steps - init_timestep, 0)
        timesteps = scheduler.timesteps[t_start:]
        scheduler.set_begin_index(t_start)
        parameters = tensor(img['encoderOutput'], (1, 2 * c, h, w))
        mean, logvar = torch.chunk(parameters, 2, dim=1)
        std = torch.exp(0.5 * torch.clamp(logvar, -30.0, 20.0))
        init = torch.cat([mean + std * torch.randn(mean.shape, generator=g, dtype=torch.float32) for g in generators])
        init = trace['scalingFactor'] * init
        noise = randn_tensor(shape, generators)
        latents = scheduler.add_noise(init, noise, timesteps[:1].repeat(n))

    if len(timesteps) != len(trace['unet']):
        raise SystemExit(f'trace has {len(trace["unet"])} UNet runs, diffusers would run {len(timesteps)}')
    rows = 2 * n if guided else n
    for i, t in enumerate(timesteps):
        model_input = torch.cat([latents] * 2) if guided else latents
        model_input = scheduler.scale_model_input(model_input, t)
        recorded = trace['unet'][i]
        report['unetInput'].append(float((model_input - tensor(recorded['sample'], (rows, c, h, w))).abs().max()))
        report['timestep'].append(float(abs(float(t) - recorded['timestep'])))
        noise_pred = tensor(recorded['out'], (rows, c, h, w))
        if guided:
            uncond, cond = noise_pred.chunk(2)
            noise_pred = uncond + guidance * (cond - uncond)
        latents = scheduler.step(noise_pred, t, latents, generators)

    decoder_input = latents / trace['scalingFactor']
    recorded = torch.cat([tensor(b64, (1, c, h, w)) for b64 in trace['decoderInputs']])
    report['decoderInput'] = float((decoder_input - recorded).abs().max())
    report['decoderInputScale'] = float(decoder_input.abs().max())
    # The replayed result itself, so a run without torch can compare against it (test/fixtures/reference).
    report['referenceDecoderInput'] = base64.b64encode(decoder_input.numpy().astype('<f4').tobytes()).decode()
    json.dump(report, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
