/**
 * Reads A1111 infotext back, following A1111's `parse_generation_parameters`
 * (`modules/infotext_utils.py`) line for line, so text from A1111, Forge or Civitai parses
 * here the way it parses there.
 */

/** What an infotext says; a field that is absent or unreadable is `undefined`. */
export interface ParsedA1111Parameters {
  prompt: string;
  negativePrompt: string;
  steps: number | undefined;
  sampler: string | undefined;
  cfgScale: number | undefined;
  seed: number | undefined;
  width: number | undefined;
  height: number | undefined;
  model: string | undefined;
  modelHash: string | undefined;
  denoisingStrength: number | undefined;
  /**
   * Every other field, unquoted, in order of appearance; also a typed field whose value could
   * not be read as its type (so nothing is lost). Prototype-free: keys are arbitrary text.
   */
  extra: Record<string, string>;
}

/** A1111's `re_param`, with Python's Unicode `\w` spelled out for JavaScript. */
const FIELD_PATTERN = /\s*([\p{L}\p{N}_][\p{L}\p{N}_ \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;
const SIZE_PATTERN = /^(\d+)x(\d+)$/;
const NEGATIVE_PREFIX = 'Negative prompt:';

function findFields(line: string): Array<[string, string]> {
  return [...line.matchAll(FIELD_PATTERN)].map((match) => [match[1] ?? '', match[2] ?? '']);
}

/** A1111's `unquote`: a value in double quotes is a JSON string; if it is not valid JSON, keep it. */
function unquote(value: string): string {
  if (value.length === 0 || !value.startsWith('"') || !value.endsWith('"')) return value;
  try {
    const decoded: unknown = JSON.parse(value);
    return typeof decoded === 'string' ? decoded : value;
  } catch {
    return value;
  }
}

function readNumber(value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) return undefined;
  if (integer && !Number.isSafeInteger(parsed)) return undefined;
  return parsed;
}

/**
 * Parses an infotext. The last line is the field line only when it holds at least three
 * `Key: value` fields (A1111's rule); otherwise every line is prompt text. Lines are trimmed,
 * and a line starting `Negative prompt:` switches to the negative prompt, as in A1111.
 */
export function parseA1111Parameters(text: string): ParsedA1111Parameters {
  const lines = text.trim().split('\n');
  let fieldLine = lines.pop() ?? '';
  if (findFields(fieldLine).length < 3) {
    lines.push(fieldLine);
    fieldLine = '';
  }

  let prompt = '';
  let negativePrompt = '';
  let inNegative = false;
  for (const rawLine of lines) {
    let line = rawLine.trim();
    if (line.startsWith(NEGATIVE_PREFIX)) {
      inNegative = true;
      line = line.slice(NEGATIVE_PREFIX.length).trim();
    }
    if (inNegative) negativePrompt += (negativePrompt === '' ? '' : '\n') + line;
    else prompt += (prompt === '' ? '' : '\n') + line;
  }

  const fields = new Map<string, string>();
  for (const [key, rawValue] of findFields(fieldLine)) {
    // A1111 indexes value[0] and so skips empty values with an error message; we skip silently.
    if (rawValue.length === 0) continue;
    fields.set(key, unquote(rawValue)); // a repeated key keeps its first position and last value, like a dict
  }

  const size = SIZE_PATTERN.exec(fields.get('Size') ?? '');
  const typed = {
    steps: readNumber(fields.get('Steps'), true),
    sampler: fields.get('Sampler'),
    cfgScale: readNumber(fields.get('CFG scale'), false),
    seed: readNumber(fields.get('Seed'), true),
    width: size ? Number(size[1]) : undefined,
    height: size ? Number(size[2]) : undefined,
    model: fields.get('Model'),
    modelHash: fields.get('Model hash'),
    denoisingStrength: readNumber(fields.get('Denoising strength'), false),
  };
  const consumed = new Set<string>(['Sampler', 'Model', 'Model hash']);
  if (typed.steps !== undefined) consumed.add('Steps');
  if (typed.cfgScale !== undefined) consumed.add('CFG scale');
  if (typed.seed !== undefined) consumed.add('Seed');
  if (size) consumed.add('Size');
  if (typed.denoisingStrength !== undefined) consumed.add('Denoising strength');

  const extra = Object.create(null) as Record<string, string>;
  for (const [key, value] of fields) if (!consumed.has(key)) extra[key] = value;
  return { prompt, negativePrompt, ...typed, extra };
}
