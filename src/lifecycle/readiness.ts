/**
 * What `darkroom start` needs before it can serve anyone (a chat platform and a model), and
 * the plain words that tell a person what to configure next. `darkroom doctor` prints the same.
 */
import path from 'node:path';
import type { DarkroomConfig } from '../config/config.types.ts';
import type { ModelAvailability } from './model-availability.ts';

export interface Readiness {
  readonly discord: boolean;
  readonly slack: boolean;
  readonly model: ModelAvailability;
  /** A chat platform and the default model are both there. */
  readonly ready: boolean;
}

export function assessReadiness(config: DarkroomConfig, model: ModelAvailability): Readiness {
  const discord = config.discord.enabled;
  const slack = config.slack.enabled;
  return { discord, slack, model, ready: (discord || slack) && model.present };
}

/** The command that runs the CLI from the Darkroom folder after `npm ci`. */
export const CLI = 'npx darkroom';

/** A path as a person reads it: relative when inside the current folder, else absolute. */
export function shownPath(target: string, workingDir: string): string {
  const relative = path.relative(workingDir, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : target;
}

/** Numbered steps, in plain words, for what is missing; empty when ready. */
export function nextSteps(readiness: Readiness, config: DarkroomConfig, workingDir: string): string[] {
  const steps: string[] = [];
  if (!readiness.discord && !readiness.slack) {
    steps.push(
      [
        'Connect a chat platform: no chat token is set. Put the token in a .env file in this folder',
        '   (copy .env.example) or in the environment:',
        '   - Discord: DISCORD_TOKEN=<your bot token>  (Developer Portal → your application → Bot → Reset Token;',
        '     README.md, "Discord app set-up", lists the scopes, intents and permissions).',
        '   - Slack: SLACK_BOT_TOKEN=xoxb-… and SLACK_APP_TOKEN=xapp-… for Socket Mode',
        '     (or SLACK_SIGNING_SECRET=… for HTTP); README.md, "Slack app set-up".',
      ].join('\n'),
    );
  }
  const model = readiness.model;
  if (!model.present) {
    const folder = shownPath(model.folder, workingDir);
    const lines = [`Get the model "${model.name}": ${model.problem ?? 'not found'}.`];
    if (model.catalogName !== undefined) {
      lines.push(`   - download it (a few GB, from the Hugging Face hub): ${CLI} models pull ${model.catalogName}`);
    }
    lines.push(
      `   - or put a diffusers ONNX model folder (model_index.json, unet/, text_encoder/, vae_decoder/, …) at ${folder}/`,
      `   - or choose another model: engine.defaultModel in ${shownPath(path.join(config.configDir, 'local.yaml'), workingDir)}`,
      `     (${CLI} models list shows the catalog).`,
    );
    steps.push(lines.join('\n'));
  }
  return steps.map((step, index) => `${index + 1}. ${step}`);
}
