/** `darkroom models list` and `darkroom models pull [NAME]`: thin wiring to the models room. */
import type { Command } from 'commander';
// The models room (hub client) and the progress bars are loaded by the action that needs them.
import type { CommandOutput } from './models.actions.ts';
import type { CliContext } from './cli-context.ts';
import { catalogOrReport, interruptOnSignals } from './cli-context.ts';

function report(context: CliContext, output: CommandOutput): void {
  if (output.lines.length > 0) context.out(output.lines.join('\n'));
  context.exitCode = output.exitCode;
}

export function registerModelsCommand(program: Command, context: CliContext): void {
  const models = program.command('models').description('the diffusion models: catalog, installed folders, downloads');

  models
    .command('list')
    .description('catalog models (installed or not), folders placed by hand, and the TAESD decoders')
    .action(async () => {
      const config = context.config();
      if (config === undefined) return;
      const catalog = await catalogOrReport(context, config.models);
      if (catalog === undefined) return;
      const { runModelsList } = await import('./models.actions.ts');
      report(context, await runModelsList({ catalog, modelsDir: config.models.dir }, config.engine));
    });

  models
    .command('pull')
    .argument('[name]', 'catalog name, or taesd / taesdxl (default: engine.defaultModel, the model start-up needs)')
    .description('download a catalog model from the Hugging Face hub (resumes an interrupted download)')
    .action(async (name: string | undefined) => {
      const config = context.config();
      if (config === undefined) return;
      const catalog = await catalogOrReport(context, config.models);
      if (catalog === undefined) return;
      // Ctrl+C stops the download cleanly (it resumes next time); a second Ctrl+C exits at once.
      const { runModelsPull } = await import('./models.actions.ts');
      const interrupt = interruptOnSignals();
      try {
        const output = await runModelsPull(name ?? config.engine.defaultModel, {
          catalog,
          modelsDir: config.models.dir,
          hubUrl: config.models.hubUrl,
          token: config.models.hubToken,
          stderr: process.stderr,
          interactive: process.stderr.isTTY === true,
          signal: interrupt.signal,
          now: () => Date.now(),
        });
        report(context, output);
      } finally {
        interrupt.dispose();
      }
    });
}
