/**
 * The `darkroom` command as a newcomer meets it: a fresh folder, no chat token, no model.
 * Each test spawns `node bin/darkroom.mjs` with its own data, models and config folders.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { openDatabase } from '../../../src/db/database.ts';
import { LOCK_FILE_NAME } from '../../../src/lifecycle/data-dir-lock.ts';
import { decodeImage, readPngParameters } from '../../../src/images/index.ts';
import { OpenApiValidator, SCENE, startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { projectRoot, sharedPath } from '../../support/shared-dir.ts';
import { result } from '../discord/support/discord-expect.ts';
import { cleanEnvironment, runDarkroom, startDarkroomProcess } from './darkroom-process.ts';

const SLOW = 240_000;

interface Sandbox {
  root: string;
  cwd: string;
  dataDir: string;
  modelsDir: string;
  configDir: string;
  env: NodeJS.ProcessEnv;
}

const sandboxes: string[] = [];

function sandbox(extraEnv: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), 'darkroom-cli-'));
  sandboxes.push(root);
  const dirs = { cwd: path.join(root, 'cwd'), dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models'), configDir: path.join(root, 'config') };
  for (const dir of [dirs.cwd, dirs.configDir]) mkdirSync(dir);
  const env = cleanEnvironment({
    DARKROOM_DATA_DIR: dirs.dataDir,
    DARKROOM_MODELS_DIR: dirs.modelsDir,
    DARKROOM_CONFIG_DIR: dirs.configDir,
    ...extraEnv,
  });
  return { root, ...dirs, env };
}

afterAll(() => {
  for (const root of sandboxes) rmSync(root, { recursive: true, force: true });
});

/** The default model as configured (not a name copied here): what the guidance must name. */
function configuredDefaultModel(): string {
  const result = loadConfig({ configDir: undefined, env: {}, workingDir: projectRoot, defaultsFile: undefined });
  if (!result.ok) throw new Error('default configuration does not load');
  return result.config.engine.defaultModel;
}

/** Migration names committed in prisma/migrations, read independently of the db code. */
function committedMigrations(): string[] {
  return readdirSync(path.join(projectRoot, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function generationStatuses(dataDir: string): Promise<string[]> {
  const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
  try {
    const rows = await database.prisma.generation.findMany({ orderBy: { queuedAt: 'asc' } });
    return rows.map((row) => row.status);
  } finally {
    await database.close();
  }
}

/** Discord's OpenAPI subset from shared/, when present: every request body is checked against it. */
async function loadDiscordSpec(): Promise<OpenApiValidator | undefined> {
  const file = sharedPath('ref', 'discord', 'openapi-bot-subset.json');
  return file ? OpenApiValidator.load(file) : undefined;
}

async function recordedMigrations(dataDir: string): Promise<string[]> {
  const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
  try {
    const rows = await database.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return rows.map((row) => row.migration_name);
  } finally {
    await database.close();
  }
}

describe('darkroom on a fresh folder with no token and no model', () => {
  let fresh: Sandbox;
  const model = configuredDefaultModel();

  beforeAll(() => {
    fresh = sandbox();
  });

  it(
    'start migrates the embedded database, says what to configure next, and exits non-zero',
    async () => {
      const result = await runDarkroom(['start'], fresh.cwd, fresh.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DISCORD_TOKEN');
      expect(result.stderr).toContain('SLACK_BOT_TOKEN');
      expect(result.stderr).toContain(`npx darkroom models pull ${model}`);
      expect(result.stderr).toContain(path.join(fresh.modelsDir, model));
      expect(existsSync(path.join(fresh.dataDir, LOCK_FILE_NAME))).toBe(false);
      expect(await recordedMigrations(fresh.dataDir)).toEqual(committedMigrations());
    },
    SLOW,
  );

  it(
    'doctor reports the same facts: migrated database, missing model with its pull command, no chat platform',
    async () => {
      const result = await runDarkroom(['doctor'], fresh.cwd, fresh.env);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`${committedMigrations().length} migration\\(s\\) applied, up to date`));
      expect(result.stdout).toContain(`npx darkroom models pull ${model}`);
      expect(result.stdout).toMatch(/Discord: not configured \(DISCORD_TOKEN/);
      expect(result.stdout).toMatch(/Slack: not configured \(SLACK_BOT_TOKEN/);
      expect(result.stdout).toMatch(/available: .*cpu/);
      // Only providers engine.executionProvider accepts (this onnxruntime-node build also has webgpu).
      const offered = /available: ([^;]*);/.exec(result.stdout)?.[1]?.split(', ') ?? [];
      expect(offered.filter((name) => !['cpu', 'cuda', 'dml', 'coreml'].includes(name))).toEqual([]);
    },
    SLOW,
  );

  it(
    'db migrate can run twice',
    async () => {
      const second = sandbox();
      const first = await runDarkroom(['db', 'migrate'], second.cwd, second.env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Applied \d+ migration/);
      const again = await runDarkroom(['db', 'migrate'], second.cwd, second.env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('No pending migrations');
      expect(await recordedMigrations(second.dataDir)).toEqual(committedMigrations());
    },
    SLOW,
  );
});

describe('darkroom with a broken configuration', () => {
  it(
    'exits 2 and lists every problem with its YAML path or variable name, touching nothing',
    async () => {
      const broken = sandbox({ DATABASE_URL: 'mysql://root@localhost/darkroom', LOG_LEVEL: 'loud' });
      writeFileSync(path.join(broken.configDir, 'local.yaml'), 'queue:\n  perUserQueued: -1\n  perUserQueue: 3\n');
      const result = await runDarkroom(['start'], broken.cwd, broken.env);
      expect(result.code).toBe(2);
      for (const name of ['queue.perUserQueued', 'queue.perUserQueue', 'DATABASE_URL', 'LOG_LEVEL']) {
        expect(result.stderr).toContain(`${name}: `);
      }
      expect(existsSync(broken.dataDir)).toBe(false);
    },
    SLOW,
  );
});

describe('darkroom and a .env file', () => {
  it(
    'reads .env from the current folder, with real environment variables taking precedence',
    async () => {
      const withEnvFile = sandbox({ DATABASE_URL: 'postgresql://darkroom@127.0.0.1:1/darkroom' });
      writeFileSync(path.join(withEnvFile.cwd, '.env'), 'LOG_LEVEL=loud\nDATABASE_URL=mysql://root@localhost/darkroom\n');
      const result = await runDarkroom(['doctor'], withEnvFile.cwd, withEnvFile.env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('LOG_LEVEL: ');
      expect(result.stderr).not.toContain('DATABASE_URL');
    },
    SLOW,
  );
});

describe('darkroom start serving Discord (a fake Discord on loopback, a generated tiny model)', () => {
  let running: Sandbox;
  let fake: FakeDiscord;

  beforeAll(async () => {
    // The whole composition root in its own process: config from env and local.yaml, the
    // embedded db, the real engine on a tiny generated model, the queue, the service and the
    // real discord.js client pointed at the fake.
    fake = await startFakeDiscord({ spec: await loadDiscordSpec() });
    running = sandbox({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl });
    writeFileSync(
      path.join(running.configDir, 'local.yaml'),
      ['engine:', '  autoPull: false', '  defaultModel: tiny-photo', '  executionProvider: cpu', '  previews: false', ''].join('\n'),
    );
    await buildFixtureModel(path.join(running.modelsDir, 'tiny-photo'), 'sd15-optimum');
    // Already migrated (a fresh folder's first start is the first describe's business).
    seedMigratedDataDir(running.dataDir);
  }, SLOW);
  afterAll(async () => {
    await fake?.close();
  });

  it(
    'answers /imagine with the image, keeps other processes out, stops cleanly on SIGTERM',
    async () => {
      const darkroom = startDarkroomProcess(['start'], running.cwd, running.env);
      await darkroom.waitForStdout('darkroom.ready');
      expect(existsSync(path.join(running.dataDir, LOCK_FILE_NAME))).toBe(true);

      const interaction = fake.slash('imagine', { prompt: 'a lighthouse at dawn --seed 77 --steps 2', count: 1 }, { user: SCENE.alice });
      const message = await result(fake, interaction);
      expect(interaction.callbackType).toBe(5);
      expect(message.attachments).toHaveLength(1);
      const png = message.attachments[0]!.bytes;
      const image = await decodeImage(png);
      expect([image.width, image.height]).toEqual([64, 64]);
      expect(await readPngParameters(png)).toContain('Seed: 77');
      expect(fake.world.violations).toEqual([]);

      // Two processes on one embedded database would overwrite each other: doctor and db status
      // keep out, and say what they can without opening it (as `docker exec … darkroom db status`).
      const doctor = await runDarkroom(['doctor'], running.cwd, running.env);
      expect(doctor.stdout).toContain(`read-only status: the running Darkroom (pid ${darkroom.child.pid}, "darkroom start" since`);
      const status = await runDarkroom(['db', 'status'], running.cwd, running.env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`read-only status: the running Darkroom (pid ${darkroom.child.pid}`);
      expect(status.stdout).toContain(`migrations on disk: ${committedMigrations().length}`);
      darkroom.child.kill('SIGTERM');
      const finished = await darkroom.finished;
      expect(finished.code).toBe(0);
      expect(finished.stdout).toContain('shutdown.finished');
      expect(existsSync(path.join(running.dataDir, LOCK_FILE_NAME))).toBe(false);
      expect(await recordedMigrations(running.dataDir)).toEqual(committedMigrations());
      expect(await generationStatuses(running.dataDir)).toEqual(['succeeded']);
    },
    SLOW,
  );

  it(
    'after kill -9 the left-over lock is taken over and the database still opens',
    async () => {
      const darkroom = startDarkroomProcess(['start'], running.cwd, running.env);
      await darkroom.waitForStdout('darkroom.ready');
      darkroom.child.kill('SIGKILL');
      await darkroom.finished;
      expect(existsSync(path.join(running.dataDir, LOCK_FILE_NAME))).toBe(true);
      const status = await runDarkroom(['db', 'status'], running.cwd, running.env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('up to date');
      expect(await recordedMigrations(running.dataDir)).toEqual(committedMigrations());
      expect(await generationStatuses(running.dataDir)).toEqual(['succeeded']);
    },
    SLOW,
  );
});
