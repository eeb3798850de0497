/**
 * AUTOMATIC1111's "infotext": the text stored in a PNG's `parameters` chunk, which A1111,
 * Forge, ComfyUI loaders, Civitai and most image viewers read back as prompt, seed, sampler…
 *
 * Layout (A1111 `modules/processing.py` `create_infotext`):
 * ```
 * <prompt>
 * Negative prompt: <negative prompt>          (line omitted when the negative prompt is empty)
 * Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: 45dee52b, Model: name
 * ```
 * A field whose value contains `,`, `:` or a newline is written as a JSON string, like A1111's
 * `infotext_utils.quote` (`json.dumps(value, ensure_ascii=False)`); a field whose value equals
 * its key is written as the bare key. The prompts themselves are never quoted.
 */

/** What Darkroom writes into every PNG it produces. */
export interface PngTextParameters {
  prompt: string;
  negativePrompt: string;
  steps: number;
  /** A1111 sampler label, e.g. `Euler a`, `DPM++ 2M`. */
  sampler: string;
  cfgScale: number;
  seed: number;
  width: number;
  height: number;
  model: string;
  modelHash: string | undefined;
  /** img2img / hires-fix strength; undefined for txt2img. */
  denoisingStrength: number | undefined;
  /** Further `Key: value` fields (e.g. `Schedule type`, `Version`), in insertion order. */
  extra: Record<string, string>;
}

/**
 * A1111's field order. Known fields are written in this order whatever the caller's order;
 * unknown extra fields follow, then `Version` and `User`, as in `create_infotext`.
 */
const LEADING_FIELDS = [
  'Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Image CFG scale', 'Seed', 'Face restoration', 'Size',
  'Model hash', 'Model', 'VAE hash', 'VAE', 'Variation seed', 'Variation seed strength', 'Seed resize from',
  'Denoising strength', 'Conditional mask weight', 'Clip skip', 'ENSD', 'Token merging ratio',
  'Token merging ratio hr', 'Init image hash', 'RNG', 'Tiling',
] as const;
const TRAILING_FIELDS = ['Version', 'User'] as const;
/** Fields that come from typed members of {@link PngTextParameters}, never from `extra`. */
const TYPED_FIELDS = new Set(['Steps', 'Sampler', 'CFG scale', 'Seed', 'Size', 'Model hash', 'Model', 'Denoising strength']);

/** A1111's `re_param` key syntax (Python's Unicode `\w`): what its parser can read back. */
const FIELD_KEY = /^[\p{L}\p{N}_][\p{L}\p{N}_ \-/]+$/u;

/** A1111's `quote()`: JSON-encode values that would otherwise break the `, `-separated line. */
export function quoteInfotextValue(value: string): string {
  if (!value.includes(',') && !value.includes('\n') && !value.includes(':')) return value;
  // JSON.stringify escapes exactly what Python's json.dumps(ensure_ascii=False) escapes:
  // `"`, `\`, and control characters below U+0020.
  return JSON.stringify(value);
}

/** Formats a number the way a person reads it: `7`, `7.5`, `0.35` (Python would print `7.0`). */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`infotext number is not finite: ${value}`);
  return String(value);
}

/**
 * Builds the A1111 infotext for one image. Throws (a bug in the caller) when an `extra` key
 * could not be read back by A1111's parser or duplicates a typed field.
 */
export function formatA1111Parameters(parameters: PngTextParameters): string {
  const fields = new Map<string, string>();
  const typed: Record<string, string | undefined> = {
    Steps: formatNumber(parameters.steps),
    Sampler: parameters.sampler,
    'CFG scale': formatNumber(parameters.cfgScale),
    Seed: formatNumber(parameters.seed),
    Size: `${formatNumber(parameters.width)}x${formatNumber(parameters.height)}`,
    'Model hash': parameters.modelHash,
    Model: parameters.model,
    'Denoising strength':
      parameters.denoisingStrength === undefined ? undefined : formatNumber(parameters.denoisingStrength),
  };
  for (const key of Object.keys(parameters.extra)) {
    if (TYPED_FIELDS.has(key)) throw new Error(`infotext extra field "${key}" duplicates a typed parameter`);
    if (!FIELD_KEY.test(key)) throw new Error(`infotext extra field key "${key}" cannot be parsed back by A1111`);
  }
  const extraKeys = Object.keys(parameters.extra);
  const order = [
    ...LEADING_FIELDS,
    ...extraKeys.filter((key) => !(LEADING_FIELDS as readonly string[]).includes(key) && !(TRAILING_FIELDS as readonly string[]).includes(key)),
    ...TRAILING_FIELDS,
  ];
  for (const key of order) {
    const value = TYPED_FIELDS.has(key) ? typed[key] : parameters.extra[key];
    if (value !== undefined) fields.set(key, value);
  }
  const line = [...fields].map(([key, value]) => (key === value ? key : `${key}: ${quoteInfotextValue(value)}`)).join(', ');
  const negative = parameters.negativePrompt === '' ? '' : `\nNegative prompt: ${parameters.negativePrompt}`;
  // Python's str.strip(): A1111 trims the whole text, so a prompt's outer whitespace is not kept.
  return `${parameters.prompt}${negative}\n${line}`.trim();
}
