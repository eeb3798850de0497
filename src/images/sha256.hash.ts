import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of the bytes (stored with each image for dedup and integrity checks). */
export function sha256(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
