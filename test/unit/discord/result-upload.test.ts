import { describe, expect, it } from 'vitest';
import type { MessagePayload } from '../../../src/bots/discord/reply-payload.ts';
import { fitResult, type CompactPicture } from '../../../src/bots/discord/result-upload.ts';
import { UploadLimits } from '../../../src/bots/discord/upload-limits.ts';

const MIB = 1024 * 1024;
const file = (name: string, bytes: number) => ({ attachment: Buffer.alloc(bytes), name, description: name });

function result(): MessagePayload {
  return {
    content: '**a cat** for Ada\nseed 1 · model · 1024×1024 · 25 steps',
    embeds: [{ title: 'Result', image: { url: 'attachment://g.png' } }],
    files: [file('g.png', 12 * MIB), file('g-1.png', 3 * MIB), file('g-2.png', 3 * MIB), file('g-3.png', 3 * MIB)],
    attachments: [],
    components: [],
    allowedMentions: { parse: [], users: [], repliedUser: false },
  };
}

/** A compressor that makes anything 2 MiB, if the budget allows. */
const twoMib: CompactPicture = async (_png, maxBytes) => (maxBytes >= 2 * MIB ? Buffer.alloc(2 * MIB) : undefined);

describe('fitResult', () => {
  it('keeps a result that fits as it is', async () => {
    const payload = result();
    const fitted = await fitResult(payload, 100 * MIB, 100 * MIB, twoMib);
    expect(fitted).toEqual({ payload, bytes: 21 * MIB, fit: 'full' });
  });

  it('compresses the picture, adds the originals that still fit, points the embed at it and says why', async () => {
    const fitted = await fitResult(result(), 10 * MIB - 64 * 1024, 10 * MIB, twoMib);
    expect(fitted.fit).toBe('preview');
    expect(fitted.payload.files.map((entry) => entry.name)).toEqual(['g.webp', 'g-1.png', 'g-2.png']);
    expect(fitted.bytes).toBe(8 * MIB);
    expect(fitted.payload.embeds[0]?.image?.url).toBe('attachment://g.webp');
    expect(fitted.payload.content).toMatch(/upload limit \(10 MiB\), so a compressed picture is shown/);
  });

  it('goes without files (text, details, buttons) when not even the picture fits', async () => {
    const fitted = await fitResult(result(), MIB, MIB, twoMib);
    expect(fitted.fit).toBe('none');
    expect(fitted.payload.files).toEqual([]);
    expect(fitted.payload.embeds[0]?.image).toBeUndefined();
    expect(fitted.payload.content).toMatch(/could not be posted here; the buttons still work/);
  });
});

describe('UploadLimits', () => {
  it('follows the boost tier, and believes a refusal over the table', () => {
    const limits = new UploadLimits();
    expect([0, 1, 2, 3].map((tier) => limits.limitFor('g', tier) / MIB)).toEqual([10, 10, 50, 100]);
    expect(limits.limitFor(undefined, undefined)).toBe(10 * MIB);
    expect(limits.budgetFor('g', 0, 1_000)).toBe(10 * MIB - 1_000);
    limits.refused('g', 8 * MIB);
    expect(limits.limitFor('g', 3)).toBe(8 * MIB - 1);
    expect(limits.limitFor('other', 3)).toBe(100 * MIB);
    // After a refusal: half the refused size, then what Discord took since.
    expect(limits.budgetFor('g', 3, 1_000)).toBe(4 * MIB);
    limits.accepted('g', 3 * MIB);
    expect(limits.budgetFor('g', 3, 1_000)).toBe(3 * MIB);
  });
});
