#!/usr/bin/python3
"""Writes test/fixtures/reference/torch-randn.json from real PyTorch (Debian python3-torch 1.13.1).

Run: /usr/bin/python3 scripts/torch-randn-reference.py  (needs `apt-get install python3-torch`).
The JSON is committed so tests run without Python; this script documents where it came from.
"""
import json, struct, torch, sys, os

def f32_hex(t):
    return [struct.pack('<f', float(v)).hex() for v in t.tolist()]

cases = []
for seed in [0, 1, 42, 1234, 2**31 - 1, 2**32 - 1, 2**32 + 5, 2**53 - 1]:
    for counts in [[1], [2], [3], [4], [15], [16], [17], [31], [32], [100], [4, 16], [3, 3], [16384]]:
        g = torch.Generator('cpu').manual_seed(seed)
        outs = [torch.randn(n, generator=g) for n in counts]
        entry = {'seed': str(seed), 'counts': counts}
        if counts == [16384]:
            t = outs[0]
            entry['head'] = f32_hex(t[:40]); entry['tail'] = f32_hex(t[-40:])
            entry['sum'] = float(t.double().sum()); entry['sumsq'] = float((t.double() ** 2).sum())
        else:
            entry['values'] = [f32_hex(t) for t in outs]
        cases.append(entry)
# the shape diffusers uses for one 512x512 SD latent, drawn as a 4-D tensor
g = torch.Generator('cpu').manual_seed(7)
lat = torch.randn((1, 4, 64, 64), generator=g).flatten()
cases.append({'seed': '7', 'counts': [16384], 'shape': [1, 4, 64, 64], 'head': f32_hex(lat[:40]), 'tail': f32_hex(lat[-40:]),
              'sum': float(lat.double().sum()), 'sumsq': float((lat.double() ** 2).sum())})
out = {'torch': torch.__version__, 'note': 'float32 values as little-endian hex', 'cases': cases}
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'reference', 'torch-randn.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
print('wrote', path, len(cases), 'cases')
