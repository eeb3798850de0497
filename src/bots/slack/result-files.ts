/**
 * A result's images in Slack: each uploaded with files.uploadV2 as its own message in the
 * status message's thread, named `<job id>-<n>.png` so a reaction on one image says which job
 * and which image it means; hint reactions under the result; and removing the files again
 * after ❌.
 */
import type { Logger } from 'pino';
import type { DeliveredImage } from '../../generation/jobs/index.ts';
import type { Generation } from '../../generation/jobs/job.types.ts';
import { slackErrorCode } from './bug-report.ts';
import { imageThread, type StatusMessageRef } from './status-messages.ts';
import type { SlackClient } from './slack-client.types.ts';

/** The file name of image `index` of a job. */
export function imageFileName(generationId: string, index: number): string {
  return `${generationId}-${index + 1}.png`;
}

const IMAGE_FILE = /^([A-Za-z0-9_-]{1,64})-([1-4])\.png$/;

/** The job and image (0-based) a file name stands for. */
export function parseImageFileName(name: string): { generationId: string; imageIndex: number } | undefined {
  const match = IMAGE_FILE.exec(name);
  return match === null ? undefined : { generationId: match[1] as string, imageIndex: Number(match[2]) - 1 };
}

export class ResultFiles {
  constructor(
    private readonly client: SlackClient,
    private readonly logger: Logger,
  ) {}

  /** Uploads each image as its own message in the status message's thread; returns the Slack file ids. */
  async upload(ref: StatusMessageRef, generation: Generation, images: readonly DeliveredImage[]): Promise<string[]> {
    const fileIds: string[] = [];
    for (const image of images) {
      const uploaded = await this.client.files.uploadV2({
        channel_id: ref.channel,
        thread_ts: imageThread(ref),
        file: image.png,
        filename: imageFileName(generation.id, image.index),
        title: `Image ${image.index + 1}`,
        alt_text: generation.prompt.slice(0, 1000),
        initial_comment: `Image ${image.index + 1} · seed ${image.seed}${image.blurred ? ' · blurred: possibly NSFW' : ''}`,
      });
      // uploadV2 answers with one completeUploadExternal response per message it made.
      const id = (uploaded as unknown as { files: Array<{ files?: Array<{ id?: string }> }> }).files[0]?.files?.[0]?.id;
      if (id !== undefined) fileIds.push(id);
    }
    return fileIds;
  }

  /** Reactions that invite the next step; ours come back as events, which ignoreSelf drops. */
  async addHints(ref: StatusMessageRef, generation: Generation, images: number): Promise<void> {
    const hints = ['arrows_counterclockwise'];
    // ⬆️ and 🔀 on the result itself only mean something when it has one image.
    if (images === 1 && generation.kind !== 'upscale') hints.push('arrow_up');
    if (images === 1) hints.push('twisted_rightwards_arrows');
    for (const name of hints) {
      try {
        await this.client.reactions.add({ channel: ref.channel, timestamp: ref.ts, name });
      } catch (error) {
        // Hints are a nicety: a missing scope or an existing reaction must not fail the delivery.
        this.logger.warn({ jobId: generation.id, reaction: name, error: slackErrorCode(error) ?? String(error) }, 'slack.hint_reaction_failed');
      }
    }
  }

  /** Deletes Slack files; ones already gone are fine. */
  async delete(fileIds: readonly string[]): Promise<void> {
    for (const file of fileIds) {
      try {
        await this.client.files.delete({ file });
      } catch (error) {
        if (slackErrorCode(error) !== 'file_not_found') throw error;
      }
    }
  }
}
