import path from 'node:path';

/** Sub-folders of a diffusers ONNX folder that the pipeline reads. Everything else (vae/, controlnet/…) is skipped. */
const NEEDED_DIRS = new Set([
  'scheduler',
  'tokenizer',
  'tokenizer_2',
  'text_encoder',
  'text_encoder_2',
  'unet',
  'vae_decoder',
  'vae_encoder',
  'safety_checker',
  'feature_extractor',
]);

/** What a TAESD export needs: its two halves (the diffusers config sits in the root and in each). */
const TAESD_DIRS = new Set(['vae_decoder', 'vae_encoder']);

/** A diffusers pipeline folder, or a TAESD export (`decoders:` in the catalog). */
export type FolderLayout = 'pipeline' | 'taesd';

/** Torch / Flax / Keras weights that sit next to ONNX exports in some repos: gigabytes we never read. */
const SKIPPED_EXTENSIONS = ['.safetensors', '.bin', '.ckpt', '.pt', '.pth', '.msgpack', '.h5', '.gguf'];

/**
 * Maps a file path from the hub listing to its path inside the local model folder, or undefined when the
 * pipeline does not need it. `subfolder` is the repo folder holding model_index.json (a TAESD
 * export: its config.json). Paths that could escape the model folder are refused.
 */
export function neededLocalPath(repoPath: string, subfolder: string | undefined, layout: FolderLayout = 'pipeline'): string | undefined {
  const prefix = subfolder ? `${subfolder.replace(/\/+$/, '')}/` : '';
  if (!repoPath.startsWith(prefix)) return undefined;
  const local = repoPath.slice(prefix.length);
  const segments = local.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\'))) {
    return undefined;
  }
  if (segments.length === 1) return local === (layout === 'taesd' ? 'config.json' : 'model_index.json') ? local : undefined;
  if (!(layout === 'taesd' ? TAESD_DIRS : NEEDED_DIRS).has(segments[0] ?? '')) return undefined;
  const extension = path.extname(local).toLowerCase();
  if (SKIPPED_EXTENSIONS.includes(extension)) return undefined;
  if (extension === '.md' || path.basename(local).startsWith('.')) return undefined;
  return local;
}
