/**
 * A deliberately separate PNG chunk reader for tests: its own table CRC-32 (not node:zlib's),
 * so the production writer is checked against an independent implementation.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as specified in the PNG spec's annex D sample code. */
export function tableCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface TestChunk {
  type: string;
  data: Buffer;
  storedCrc: number;
  computedCrc: number;
}

/** All chunks; throws if the signature is wrong or the chunk walk does not end exactly at IEND. */
export function readChunks(png: Buffer): TestChunk[] {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((byte, index) => png[index] === byte)) throw new Error('no PNG signature');
  const chunks: TestChunk[] = [];
  let offset = 8;
  for (;;) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const storedCrc = png.readUInt32BE(offset + 8 + length);
    chunks.push({ type, data, storedCrc, computedCrc: tableCrc32(png.subarray(offset + 4, offset + 8 + length)) });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (offset !== png.length) throw new Error(`trailing bytes after IEND: ${png.length - offset}`);
  return chunks;
}

/** Builds a chunk (length, type, data, table CRC) for hand-made test inputs. */
export function buildChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + body.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(tableCrc32(body), 4 + body.length);
  return out;
}
