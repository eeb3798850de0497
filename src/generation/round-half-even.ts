/**
 * `numpy.round` / `numpy.rint`: half to even (0.5 → 0, 1.5 → 2, 2.5 → 2). diffusers rounds
 * timesteps and pixel values this way; `Math.round` (half up) would pick another timestep or
 * another byte now and then, and the output would drift from the reference.
 */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
