/**
 * PNG text chunks (tEXt, zTXt, iTXt), written and read by hand: sharp/libvips can read PNG
 * comments but cannot write an arbitrary keyword, and we want byte-exact control anyway.
 * No sharp here: this works on the PNG byte stream only (PNG spec, ISO/IEC 15948 §11.3.4).
 */
import { crc32, inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decompressed text larger than this is ignored (a zTXt/iTXt bomb would otherwise eat memory). */
const MAX_INFLATED_TEXT_BYTES = 4 * 1024 * 1024;
const TEXT_CHUNK_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field in the file. */
  offset: number;
  data: Buffer;
  /** Whether the stored CRC matches type + data. */
  crcValid: boolean;
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Buffer): boolean {
  return bytes.length >= PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

/**
 * Every complete chunk up to IEND. A truncated file yields the chunks before the damage, so a
 * cut-off upload still gives its text if the text came first.
 */
export function listPngChunks(png: Buffer): PngChunk[] {
  if (!isPng(png)) return [];
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > png.length) break;
    const typeAndData = png.subarray(offset + 4, offset + 8 + length);
    const type = typeAndData.toString('latin1', 0, 4);
    const crcValid = crc32(typeAndData) === png.readUInt32BE(offset + 8 + length);
    chunks.push({ type, offset, data: png.subarray(offset + 8, offset + 8 + length), crcValid });
    offset = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** One chunk as bytes: length, type, data, CRC-32 of type + data. */
export function encodePngChunk(type: string, data: Buffer): Buffer {
  if (!/^[A-Za-z]{4}$/.test(type)) throw new Error(`bad PNG chunk type "${type}"`);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function isLatin1(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0xff) return false;
  return true;
}

function assertKeyword(keyword: string): void {
  // Spec: 1-79 printable Latin-1 characters, no leading, trailing or double spaces.
  if (!/^[\u0020-\u007e\u00a1-\u00ff]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword)) {
    throw new Error(`bad PNG text keyword "${keyword}"`);
  }
}

/**
 * A text chunk the way Pillow's `PngInfo.add_text` (and so A1111) writes it: `tEXt` when the
 * text is Latin-1, otherwise an uncompressed `iTXt` in UTF-8 with empty language tags.
 * NUL characters are removed: neither chunk can hold them, and a prompt never needs one.
 */
export function encodeTextChunk(keyword: string, text: string): Buffer {
  assertKeyword(keyword);
  const clean = text.replaceAll('\u0000', '');
  const keywordBytes = Buffer.from(keyword, 'latin1');
  if (isLatin1(clean)) {
    return encodePngChunk('tEXt', Buffer.concat([keywordBytes, Buffer.from([0]), Buffer.from(clean, 'latin1')]));
  }
  // keyword \0, compression flag 0, method 0, language tag "" \0, translated keyword "" \0, text
  const header = Buffer.from([0, 0, 0, 0, 0]);
  return encodePngChunk('iTXt', Buffer.concat([keywordBytes, header, Buffer.from(clean, 'utf8')]));
}

/**
 * A copy of `png` with one text chunk for `keyword` placed right after IHDR (readers that stop
 * at the first IDAT still see it); earlier text chunks with that keyword are dropped.
 */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const chunks = listPngChunks(png);
  const header = chunks[0];
  if (header?.type !== 'IHDR' || chunks.at(-1)?.type !== 'IEND') throw new Error('not a complete PNG');
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const chunk of chunks) {
    const raw = png.subarray(chunk.offset, chunk.offset + 12 + chunk.data.length);
    if (TEXT_CHUNK_TYPES.has(chunk.type) && decodeTextChunk(chunk)?.keyword === keyword) continue;
    parts.push(raw);
    if (chunk === header) parts.push(encodeTextChunk(keyword, text));
  }
  return Buffer.concat(parts);
}

function inflateLimited(data: Buffer): Buffer | undefined {
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED_TEXT_BYTES });
  } catch {
    return undefined;
  }
}

/** Keyword and text of a tEXt/zTXt/iTXt chunk; undefined when malformed. */
export function decodeTextChunk(chunk: PngChunk): { keyword: string; text: string } | undefined {
  const keywordEnd = chunk.data.indexOf(0);
  if (keywordEnd < 1) return undefined;
  const keyword = chunk.data.toString('latin1', 0, keywordEnd);
  const rest = chunk.data.subarray(keywordEnd + 1);
  if (chunk.type === 'tEXt') return { keyword, text: rest.toString('latin1') };
  if (chunk.type === 'zTXt') {
    if (rest[0] !== 0) return undefined; // only method 0 (deflate) exists
    const inflated = inflateLimited(rest.subarray(1));
    return inflated ? { keyword, text: inflated.toString('latin1') } : undefined;
  }
  if (chunk.type === 'iTXt') {
    const compressed = rest[0];
    const languageEnd = rest.indexOf(0, 2);
    const translatedEnd = languageEnd < 0 ? -1 : rest.indexOf(0, languageEnd + 1);
    if (rest.length < 2 || translatedEnd < 0 || (compressed !== 0 && compressed !== 1)) return undefined;
    const body = rest.subarray(translatedEnd + 1);
    const textBytes = compressed === 1 ? (rest[1] === 0 ? inflateLimited(body) : undefined) : body;
    return textBytes ? { keyword, text: textBytes.toString('utf8') } : undefined;
  }
  return undefined;
}

/** The first intact text chunk with this keyword, or undefined (also for non-PNG bytes). */
export function readTextChunk(png: Buffer, keyword: string): string | undefined {
  for (const chunk of listPngChunks(png)) {
    if (!TEXT_CHUNK_TYPES.has(chunk.type) || !chunk.crcValid) continue;
    const decoded = decodeTextChunk(chunk);
    if (decoded?.keyword === keyword) return decoded.text;
  }
  return undefined;
}
