/**
 * `darkroom doctor`: configuration, database, image store, queue, models, execution providers and chat platforms in
 * one report, then the same "what to do next" as `darkroom start`. Exit 0 when Darkroom could
 * serve, 1 when something is missing, 2 on configuration problems.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DarkroomConfig } from '../config/config.types.ts';
import { TOKEN_CHECK_TIMEOUT_MS, gatherChatFacts } from '../lifecycle/chat-token-check.ts';
import { CLI, assessReadiness, nextSteps, shownPath } from '../lifecycle/readiness.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT } from './cli-context.ts';
import type { DoctorFacts } from './doctor-facts.ts';

const LABEL_WIDTH = 15;

function section(label: string, lines: readonly string[]): string {
  const indent = ' '.repeat(LABEL_WIDTH);
  return lines.map((line, index) => (index === 0 ? label.padEnd(LABEL_WIDTH) : indent) + line).join('\n');
}

function modelLines(config: DarkroomConfig, facts: DoctorFacts): string[] {
  const model = facts.defaultModel;
  const fix = model.catalogName !== undefined ? ` → ${CLI} models pull ${model.catalogName}` : '';
  const lines = [
    `folder ${config.models.dir}`,
    model.present
      ? `default ${model.name}: installed (${model.folder})`
      : `default ${model.name}: missing, ${model.problem ?? 'not found'}${fix}`,
    `installed: ${facts.installedModels.length > 0 ? facts.installedModels.join(', ') : 'none'}`,
  ];
  for (const broken of facts.brokenModels) lines.push(`unusable: ${broken}`);
  lines.push(`TAESD: ${facts.decoders.installed.length > 0 ? facts.decoders.installed.join(', ') : 'none installed'} (engine.decoder ${config.engine.decoder}, previews ${config.engine.previewDecoder})`);
  for (const warning of facts.decoders.warnings) lines.push(`warning: ${warning}`);
  if (facts.catalogProblem !== undefined) lines.push(facts.catalogProblem);
  return lines;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 600) throw new InvalidArgumentError('expected a number of seconds, 0–600');
  return parsed;
}

export function registerDoctorCommand(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('check configuration, database, image store, queue, models, execution providers and chat platforms (asks Discord and Slack whether the tokens are accepted; with S3, writes and removes one tiny object)')
    .option('--offline', 'do not contact Discord or Slack: report the configuration only', false)
    .option('--token-timeout <seconds>', 'how long to wait for Discord or Slack to answer', seconds, TOKEN_CHECK_TIMEOUT_MS / 1000)
    .action(async (flags: { offline: boolean; tokenTimeout: number }) => {
      const config = context.config();
      if (config === undefined) return;
      const chatCheck = { online: !flags.offline, timeoutMs: flags.tokenTimeout * 1000, fetch: globalThis.fetch };
      // Database, models and execution providers: loaded only when doctor runs.
      const { gatherDoctorFacts } = await import('./doctor-facts.ts');
      const [facts, chat] = await Promise.all([
        gatherDoctorFacts(config, context.logger(config, 'stderr')),
        gatherChatFacts(config.discord, config.slack, chatCheck),
      ]);
      const relative = (file: string): string => shownPath(file, context.workingDir);
      const files = config.files.map(relative).join(', ');
      const environment = context.envFile !== undefined ? `; environment also from ${relative(context.envFile)}` : '';
      const providers = facts.providers;
      context.out(
        [
          'Darkroom doctor',
          '',
          section('Configuration', [`ok: ${files}${environment}`]),
          section('Database', facts.database.text.split('\n')),
          section('Images', [facts.storage.text]),
          section('Queue', [facts.queue.text]),
          section('Models', modelLines(config, facts)),
          section('Execution', [
            `available: ${providers.available.join(', ')}; engine.executionProvider: ${providers.configured}`,
            ...(providers.warning !== undefined ? [providers.warning] : []),
          ]),
          section('Chat', chat.lines),
          '',
        ].join('\n'),
      );
      const readiness = assessReadiness(config, facts.defaultModel);
      if (readiness.ready && facts.database.ok && facts.storage.ok && facts.queue.ok && chat.refused.length === 0) {
        context.out('Ready: npm start will serve.');
        return;
      }
      const steps = nextSteps(readiness, config, context.workingDir);
      if (!facts.database.ok) steps.push(`${steps.length + 1}. Fix the database: ${facts.database.text}`);
      if (!facts.storage.ok) steps.push(`${steps.length + 1}. Fix the image store: ${facts.storage.text}`);
      if (!facts.queue.ok) steps.push(`${steps.length + 1}. Fix Redis: ${facts.queue.text}`);
      for (const refusal of chat.refused) steps.push(`${steps.length + 1}. Fix the token: ${refusal}`);
      context.out(['Not ready yet. What to do next:', ...steps].join('\n'));
      context.exitCode = EXIT.failure;
    });
}
