/**
 * What a stored negative prompt means to the engine. The `negative_prompt` column is never null:
 * "" there means "no negative prompt given", i.e. diffusers' `negative_prompt=None`, which SDXL
 * models with `force_zeros_for_empty_prompt` turn into zero embeddings. Chat has no way to give
 * an explicitly empty negative prompt (an empty `--no` / `negative` is refused, and so is an empty
 * saved default), so nothing else is ever stored as "". Rerolls, variations and upscales copy the
 * parent's column and so run the way the original did. (The CLI, which does not store jobs, keeps
 * `--negative ""` as an explicitly empty prompt that is encoded.)
 */
export function negativePromptForEngine(stored: string): string | undefined {
  return stored === '' ? undefined : stored;
}
