/** Where Darkroom's own files are, wherever the process was started from. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project (install) folder: the one holding package.json, `config/`, `prisma/`. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shipped configuration folder; `DARKROOM_CONFIG_DIR` may point `local.yaml` elsewhere. */
export const projectConfigDir = path.join(projectRoot, 'config');

/** Every option with its default and a comment; always read first. */
export const defaultsFile = path.join(projectConfigDir, 'default.yaml');
