import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTextChunk, withTextChunk } from '../../../src/images/png-text.chunks.ts';
import { buildChunk, readChunks, tableCrc32 } from './png-reader.fixture.ts';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** A valid 1×1 grey PNG built by hand (IHDR, IDAT of one filtered row, IEND). */
const IHDR = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]); // 1×1, 8-bit greyscale
const TINY_PNG = Buffer.concat([
  SIGNATURE,
  buildChunk('IHDR', IHDR),
  buildChunk('IDAT', deflateSync(Buffer.from([0, 128]))),
  buildChunk('IEND', Buffer.alloc(0)),
]);

function withChunk(png: Buffer, chunk: Buffer): Buffer {
  const afterIhdr = 8 + 12 + 13;
  return Buffer.concat([png.subarray(0, afterIhdr), chunk, png.subarray(afterIhdr)]);
}

describe('PNG text chunks', () => {
  it('the table CRC of the test reader matches the PNG spec check value', () => {
    // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a Latin-1 text as tEXt right after IHDR with a correct CRC', () => {
    const png = withTextChunk(TINY_PNG, 'parameters', 'café, Steps: 20');
    const chunks = readChunks(png);
    expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    const text = chunks[1];
    expect(text?.storedCrc).toBe(text?.computedCrc);
    expect(text?.data.equals(Buffer.concat([Buffer.from('parameters\0', 'latin1'), Buffer.from('café, Steps: 20', 'latin1')]))).toBe(true);
  });

  it('writes non-Latin-1 text as uncompressed UTF-8 iTXt with empty language tags', () => {
    const png = withTextChunk(TINY_PNG, 'parameters', '東京 🌃');
    const itxt = readChunks(png).find((chunk) => chunk.type === 'iTXt');
    expect(itxt?.storedCrc).toBe(itxt?.computedCrc);
    expect(itxt?.data.equals(Buffer.concat([Buffer.from('parameters\0\0\0\0\0'), Buffer.from('東京 🌃', 'utf8')]))).toBe(true);
    expect(readTextChunk(png, 'parameters')).toBe('東京 🌃');
  });

  it('replaces an earlier chunk with the same keyword and keeps other keywords', () => {
    const once = withTextChunk(withTextChunk(TINY_PNG, 'Comment', 'keep me'), 'parameters', 'old');
    const twice = withTextChunk(once, 'parameters', 'new');
    const texts = readChunks(twice).filter((chunk) => chunk.type === 'tEXt').map((chunk) => chunk.data.toString('latin1'));
    expect(texts.sort()).toEqual(['Comment\0keep me', 'parameters\0new']);
  });

  it('reads zTXt and compressed iTXt written by other tools', () => {
    const ztxt = buildChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0'), deflateSync(Buffer.from('zipped, Seed: 1', 'latin1'))]));
    expect(readTextChunk(withChunk(TINY_PNG, ztxt), 'parameters')).toBe('zipped, Seed: 1');
    const itxt = buildChunk(
      'iTXt',
      Buffer.concat([Buffer.from('parameters\0\x01\0en\0Parameter\0'), deflateSync(Buffer.from('ä 東京', 'utf8'))]),
    );
    expect(readTextChunk(withChunk(TINY_PNG, itxt), 'parameters')).toBe('ä 東京');
  });

  it('ignores a text chunk whose CRC is wrong, other keywords, and non-PNG bytes', () => {
    const good = buildChunk('tEXt', Buffer.from('parameters\0hello'));
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 1] = (corrupt.at(-1) ?? 0) ^ 0xff;
    expect(readTextChunk(withChunk(TINY_PNG, corrupt), 'parameters')).toBeUndefined();
    expect(readTextChunk(withChunk(TINY_PNG, good), 'Comment')).toBeUndefined();
    expect(readTextChunk(Buffer.from('\xff\xd8\xff\xe0 a JPEG'), 'parameters')).toBeUndefined();
  });

  it('still finds the text in a PNG cut off after the text chunk', () => {
    const png = withTextChunk(TINY_PNG, 'parameters', 'survives');
    const cut = png.subarray(0, png.length - 20);
    expect(readTextChunk(cut, 'parameters')).toBe('survives');
  });

  it('does not inflate a zTXt bomb beyond its limit', () => {
    const bomb = buildChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0'), deflateSync(Buffer.alloc(8 * 1024 * 1024, 0x41))]));
    expect(readTextChunk(withChunk(TINY_PNG, bomb), 'parameters')).toBeUndefined();
  });

  it('drops NUL characters, which no PNG text chunk can carry', () => {
    const png = withTextChunk(TINY_PNG, 'parameters', 'a\0b');
    expect(readTextChunk(png, 'parameters')).toBe('ab');
  });
});
