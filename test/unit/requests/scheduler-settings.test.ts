import { describe, expect, it } from 'vitest';
import { SETTING_HINTS, updateSettings } from '../../../src/generation/requests/settings-update.ts';

const LIMITS = { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] };

function savedScheduler(text: string): string | undefined {
  const result = updateSettings(undefined, { scheduler: { label: 'scheduler', text } }, LIMITS, []);
  if (!result.ok) throw new Error(result.message);
  return result.settings.scheduler;
}

describe('/settings scheduler', () => {
  it('saves the Karras variants, typed as A1111 writes them or as our names', () => {
    expect(savedScheduler('DPM++ 2M Karras')).toBe('dpmpp-2m-karras');
    expect(savedScheduler('dpmpp-2m-karras')).toBe('dpmpp-2m-karras');
    expect(savedScheduler('LMS Karras')).toBe('lms-karras');
    expect(savedScheduler('DPM++ 2M')).toBe('dpmpp-2m');
  });

  it('lists the Karras variants in its help', () => {
    expect(SETTING_HINTS.scheduler).toContain('dpmpp-2m-karras');
    expect(SETTING_HINTS.scheduler).toContain('lms-karras');
  });
});
