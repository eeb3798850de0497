import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigProblem, DarkroomConfig } from '../../../src/config/config.types.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { projectRoot } from '../../support/shared-dir.ts';

let configDir: string;
let workingDir: string;

beforeEach(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'darkroom-config-'));
  configDir = path.join(root, 'config');
  workingDir = path.join(root, 'cwd');
  mkdirSync(configDir);
  mkdirSync(workingDir);
});

afterEach(() => {
  rmSync(path.dirname(configDir), { recursive: true, force: true });
});

function writeLocal(yaml: string): void {
  writeFileSync(path.join(configDir, 'local.yaml'), yaml);
}

function load(env: Environment = {}) {
  return loadConfig({ configDir, env, workingDir, defaultsFile: undefined });
}

function loadOk(env: Environment = {}): DarkroomConfig {
  const result = load(env);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}

function loadProblems(env: Environment = {}): readonly ConfigProblem[] {
  const result = load(env);
  if (result.ok) throw new Error('expected configuration problems');
  return result.problems;
}

describe('loadConfig: defaults', () => {
  it('loads config/default.yaml alone, with the documented defaults', () => {
    const config = loadOk();
    expect(config.files).toEqual([path.join(projectRoot, 'config', 'default.yaml')]);
    expect(config.dataDir).toBe(path.join(projectRoot, 'data'));
    expect(config.models.dir).toBe(path.join(projectRoot, 'models'));
    expect(config.models.catalog).toBe(path.join(projectRoot, 'config', 'models.yaml'));
    expect(config.database.url).toBeUndefined();
    expect(config.queue.perUserQueued).toBe(2);
    expect(config.queue.globalQueued).toBe(50);
    expect(config.engine.upscaler).toBeUndefined();
    expect(config.log.level).toBe('info');
  });

  it('leaves both chat platforms off without tokens', () => {
    const config = loadOk();
    expect(config.discord).toMatchObject({ enabled: false, token: undefined });
    expect(config.slack).toMatchObject({ enabled: false, botToken: undefined });
  });

  it('is frozen all the way down', () => {
    const config = loadOk();
    expect(() => {
      (config.queue as { perUserQueued: number }).perUserQueued = 99;
    }).toThrow(TypeError);
    expect(() => {
      (config.limits.default.allowedModels as string[]).push('x');
    }).toThrow(TypeError);
    expect(config.queue.perUserQueued).toBe(2);
  });
});

describe('loadConfig: layers', () => {
  it('merges local.yaml over the defaults, option by option', () => {
    writeLocal(
      [
        'queue:',
        '  perUserQueued: 5',
        'limits:',
        '  roles:',
        '    vip: { maxCount: 1 }',
        'moderation:',
        '  blockedTerms: [gore, "blood"]',
        'engine:',
        '  upscaler: models/upscalers/x4.onnx',
      ].join('\n'),
    );
    const config = loadOk();
    expect(config.files).toContain(path.join(configDir, 'local.yaml'));
    expect(config.queue.perUserQueued).toBe(5);
    expect(config.queue.globalQueued).toBe(50);
    expect(config.limits.roles['vip']).toEqual({ maxCount: 1 });
    expect(config.moderation.blockedTerms).toEqual(['gore', 'blood']);
    expect(config.engine.upscaler).toBe(path.join(projectRoot, 'models', 'upscalers', 'x4.onnx'));
  });

  it('keeps unquoted 18-digit Discord ids exact (YAML would read them as rounded numbers)', () => {
    writeLocal(
      [
        'moderation:',
        '  moderatorRoleIds: [123456789012345678, "223456789012345678"]',
        'limits:',
        '  workspaces:',
        '    987654321098765432: { maxCount: 2 }',
      ].join('\n'),
    );
    const config = loadOk();
    expect(config.moderation.moderatorRoleIds).toEqual(['123456789012345678', '223456789012345678']);
    expect(Object.keys(config.limits.workspaces)).toEqual(['987654321098765432']);
  });

  it('lets environment variables override both files, relative paths from the current folder', () => {
    writeLocal('dataDir: /somewhere/else\nlog: { level: warn }\n');
    const config = loadOk({
      DARKROOM_DATA_DIR: 'my-data',
      DARKROOM_MODELS_DIR: '/srv/models',
      DATABASE_URL: 'postgresql://darkroom@db.local:5432/darkroom',
      LOG_LEVEL: 'debug',
      DISCORD_GUILD_IDS: '111, 222,',
      HF_ENDPOINT: 'http://127.0.0.1:9999',
      DISCORD_API_URL: 'http://127.0.0.1:8080/api',
      SLACK_API_URL: 'http://127.0.0.1:8081/api/',
    });
    expect(config.dataDir).toBe(path.join(workingDir, 'my-data'));
    expect(config.models.dir).toBe('/srv/models');
    expect(config.database.url).toBe('postgresql://darkroom@db.local:5432/darkroom');
    expect(config.log.level).toBe('debug');
    expect(config.discord.guildIds).toEqual(['111', '222']);
    expect(config.models.hubUrl).toBe('http://127.0.0.1:9999');
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:8080/api');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:8081/api/');
  });

  it('treats an empty variable (a copied .env.example) as unset', () => {
    const config = loadOk({ DISCORD_TOKEN: '', SLACK_BOT_TOKEN: '  ', DARKROOM_DATA_DIR: '' });
    expect(config.discord.enabled).toBe(false);
    expect(config.slack.enabled).toBe(false);
    expect(config.dataDir).toBe(path.join(projectRoot, 'data'));
  });

  it('finds local.yaml through DARKROOM_CONFIG_DIR when no folder is given', () => {
    writeLocal('queue: { globalQueued: 7 }\n');
    const result = loadConfig({ configDir: undefined, env: { DARKROOM_CONFIG_DIR: configDir }, workingDir, defaultsFile: undefined });
    expect(result.ok && result.config.queue.globalQueued).toBe(7);
  });
});

describe('loadConfig: chat platforms', () => {
  it('turns Discord on with a token', () => {
    const config = loadOk({ DISCORD_TOKEN: 'abc.def.ghi' });
    expect(config.discord).toMatchObject({ enabled: true, token: 'abc.def.ghi' });
  });

  it('uses Socket Mode when an app token is set, HTTP with a signing secret otherwise', () => {
    const socket = loadOk({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(socket.slack).toMatchObject({ enabled: true, mode: 'socket' });
    const http = loadOk({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh' });
    expect(http.slack).toMatchObject({ enabled: true, mode: 'http', signingSecret: 'shh' });
  });

  it('asks for the signing secret when Slack would run over HTTP without one', () => {
    const problems = loadProblems({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(problems.map((problem) => problem.path)).toEqual(['SLACK_SIGNING_SECRET']);
  });

  it('catches swapped Slack tokens and a "Bot " prefix on the Discord token', () => {
    const problems = loadProblems({ SLACK_BOT_TOKEN: 'xapp-1', SLACK_APP_TOKEN: 'xoxb-1', DISCORD_TOKEN: 'Bot abc' });
    const paths = problems.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN']));
  });

  it('requires the token when a platform is switched on explicitly', () => {
    writeLocal('discord: { enabled: true }\nslack: { enabled: true, mode: socket }\n');
    const paths = loadProblems().map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']));
  });
});

describe('loadConfig: problems', () => {
  it('reports every bad value at once, each with its YAML path or variable name and its source', () => {
    writeLocal(
      [
        'queue:',
        '  perUserQueued: -1',
        'engine:',
        '  executionProvider: gpu',
        'limits:',
        '  default: { maxCount: 9 }',
        'moderation:',
        '  nsfw: hide',
      ].join('\n'),
    );
    const problems = loadProblems({ DATABASE_URL: 'mysql://root@localhost/darkroom', LOG_LEVEL: 'loud', DISCORD_GUILD_IDS: '1,abc' });
    const byPath = new Map(problems.map((problem) => [problem.path, problem]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        'DATABASE_URL',
        'DISCORD_GUILD_IDS',
        'LOG_LEVEL',
        'engine.executionProvider',
        'limits.default.maxCount',
        'moderation.nsfw',
        'queue.perUserQueued',
      ].sort(),
    );
    const localFile = path.join(configDir, 'local.yaml');
    expect(byPath.get('queue.perUserQueued')).toMatchObject({ source: localFile });
    expect(byPath.get('queue.perUserQueued')?.message).toMatch(/at least 1/);
    expect(byPath.get('engine.executionProvider')?.message).toMatch(/cuda/);
    expect(byPath.get('DATABASE_URL')).toMatchObject({ source: 'environment' });
    expect(byPath.get('DATABASE_URL')?.message).toMatch(/postgres/);
    expect(byPath.get('DISCORD_GUILD_IDS')?.message).toMatch(/item 2/);
  });

  it('reports unknown options (typos) with the option that was probably meant', () => {
    writeLocal(['queue:', '  perUserQueue: 3', 'databse:', '  url: null', 'limits:', '  roles:', '    vip: { maxStep: 10 }'].join('\n'));
    const problems = loadProblems();
    const byPath = new Map(problems.map((problem) => [problem.path, problem.message]));
    expect(byPath.get('queue.perUserQueue')).toMatch(/perUserQueued/);
    expect(byPath.get('databse')).toMatch(/database/);
    expect(byPath.get('limits.roles.vip.maxStep')).toMatch(/maxSteps/);
  });

  it('refuses secrets in YAML and names the variable to use instead', () => {
    writeLocal('discord:\n  token: abc\n');
    const [problem] = loadProblems();
    expect(problem?.path).toBe('discord.token');
    expect(problem?.message).toMatch(/DISCORD_TOKEN/);
  });

  it('reports a local.yaml that is not YAML together with the other problems', () => {
    writeLocal('queue: [unclosed\n');
    const problems = loadProblems({ LOG_LEVEL: 'loud' });
    expect(problems.map((problem) => problem.path)).toEqual(expect.arrayContaining([path.join(configDir, 'local.yaml'), 'LOG_LEVEL']));
  });

  it('reports a DARKROOM_CONFIG_DIR that does not exist', () => {
    const result = loadConfig({
      configDir: undefined,
      env: { DARKROOM_CONFIG_DIR: path.join(workingDir, 'nope') },
      workingDir,
      defaultsFile: undefined,
    });
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual(['DARKROOM_CONFIG_DIR']);
  });
});
