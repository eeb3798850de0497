/**
 * Commands as every platform delivers them, after the adapter has read its native event:
 * slash commands, buttons (parsed from their ids) and reactions.
 */
import type { EditSpec, GenerationStatus } from '../db/domain.types.ts';
import type { HistoryCursor } from '../db/generation.repository.ts';
import type { OptionText } from '../generation/requests/imagine-options.ts';
import type { ChatIdentity } from '../generation/requests/request.types.ts';
import type { SettingName } from '../generation/requests/settings-update.ts';
import type { SlashImagineOptions } from './imagine-request.parser.ts';

export type ChatCommand =
  | { name: 'imagine'; options: SlashImagineOptions }
  | { name: 'reroll'; generationId: string }
  | { name: 'vary'; generationId: string; imageIndex: number; strength: 'subtle' | 'strong' }
  | { name: 'upscale'; generationId: string; imageIndex: number }
  /** Zoom Out, Pan, Vary (Region) of one image (issue 15); `prompt` replaces the job's (Custom Zoom, a region's new prompt). */
  | { name: 'edit'; generationId: string; imageIndex: number; edit: EditSpec; prompt?: string | undefined }
  /** Vary (Region) pressed: answer with the grid of cells to pick from. */
  | { name: 'region-picker'; generationId: string; imageIndex: number }
  | { name: 'cancel'; generationId: string }
  | { name: 'delete'; generationId: string; imageIndex: number | undefined; reason: string | undefined }
  | { name: 'show'; generationId: string }
  | { name: 'settings'; changes: Partial<Record<SettingName, OptionText>> }
  | {
      name: 'history';
      /** undefined = everyone (moderators); others may only ask for themselves. */
      user: ChatIdentity | undefined;
      channelId: string | undefined;
      statuses: readonly GenerationStatus[] | undefined;
      /** Where the page starts (from a "More" / "Next" button); undefined = the newest jobs. */
      cursor: HistoryCursor | undefined;
      /** Only jobs queued in the last `days` days; absent = all time. Optional so older callers stay valid. */
      days?: number | undefined;
    }
  | { name: 'usage'; user: ChatIdentity | undefined; days: number }
  /** The asker's waiting and running jobs with their places in the queue. */
  | { name: 'queue' }
  /** `workspace`: this Discord server / Slack workspace (moderators); `global`: everywhere, DMs too (admins). */
  | { name: 'ban' | 'unban'; target: ChatIdentity; scope: 'workspace' | 'global'; reason: string | undefined }
  | { name: 'blocklist'; action: 'add' | 'remove'; term: string; scope: 'workspace' | 'global'; reason: string | undefined }
  | { name: 'blocklist'; action: 'list' };
