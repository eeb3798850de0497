/**
 * Progress in the steps the person asked for. Engines count model calls: PNDM makes one more
 * than the steps asked for (26 for 25), img2img runs only `strength` × steps, an upscaler counts
 * tiles. People read "step 26/26" next to a result that says "25 steps" as a bug, so progress is
 * shown as the same fraction of the requested steps.
 */

/** `done` of `total` model calls, as a step of `requested` (rounded; never past the end). */
export function requestedStep(done: number, total: number, requested: number): { step: number; totalSteps: number } {
  if (!(total > 0) || !(requested > 0)) return { step: done, totalSteps: total };
  const fraction = Math.min(1, Math.max(0, done / total));
  return { step: Math.round(fraction * requested), totalSteps: requested };
}
