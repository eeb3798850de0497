import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findModel,
  loadModelCatalog,
  ModelCatalogError,
  parseModelCatalog,
} from '../../../src/generation/models/model-catalog.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const entry = (fields: Record<string, string>): string =>
  `  - ${Object.entries({
    name: 'one',
    repo: 'owner/one-onnx',
    family: 'sd1',
    description: 'a model',
    license: 'MIT',
    approxSizeGB: '4.3',
    cpu: 'true',
    recommended: '{ steps: 25, guidance: 7, scheduler: euler, width: 512, height: 512 }',
    ...fields,
  })
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n    ')}`;

function catalogIssues(text: string): string[] {
  try {
    parseModelCatalog(text, 'config/models.yaml');
  } catch (error) {
    if (error instanceof ModelCatalogError) return error.issues;
    throw error;
  }
  throw new Error('expected the catalog to be refused');
}

describe('config/models.yaml', () => {
  it('loads, and its default model runs on CPU', async () => {
    const catalog = await loadModelCatalog(path.join(projectRoot, 'config', 'models.yaml'));
    expect(catalog.models.filter((model) => model.default)).toEqual([catalog.defaultModel]);
    expect(catalog.defaultModel.cpu).toBe(true);
    for (const model of catalog.models) {
      expect(model.recommended.width * model.recommended.height).toBeGreaterThan(0);
      expect(model.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    }
  });
});

describe('parseModelCatalog', () => {
  it('fills revision "main" and an undefined subfolder, and finds entries case-insensitively', () => {
    const catalog = parseModelCatalog(`models:\n${entry({ default: 'true' })}\n`, 'models.yaml');
    expect(catalog.defaultModel).toMatchObject({ name: 'one', revision: 'main', subfolder: undefined });
    expect(findModel(catalog, 'ONE')).toBe(catalog.defaultModel);
    expect(findModel(catalog, 'two')).toBeUndefined();
    expect(Object.isFrozen(catalog.models)).toBe(true);
  });

  it('names the YAML path and line of every bad field', () => {
    const text = `models:\n${entry({ default: 'true' })}\n${entry({
      name: 'two',
      repo: 'not-a-repo',
      recommended: '{ steps: 4, guidance: 1, scheduler: heun, width: 500, height: 512 }',
    })}\n`;
    const issues = catalogIssues(text);
    expect(issues.find((issue) => issue.startsWith('models[1].repo (line 12)'))).toBeDefined();
    expect(issues.find((issue) => issue.startsWith('models[1].recommended.scheduler (line 18)'))).toBeDefined();
    expect(issues.find((issue) => issue.startsWith('models[1].recommended.width (line 18)'))).toBeDefined();
  });

  it('requires exactly one default and unique names', () => {
    const twoDefaults = catalogIssues(`models:\n${entry({ default: 'true' })}\n${entry({ name: 'two', default: 'true' })}\n`);
    expect(twoDefaults.join('\n')).toContain('exactly one model must have default: true (models[0], models[1] have)');
    const none = catalogIssues(`models:\n${entry({})}\n`);
    expect(none.join('\n')).toContain('(none has)');
    const duplicate = catalogIssues(`models:\n${entry({ default: 'true' })}\n${entry({})}\n`);
    expect(duplicate.join('\n')).toContain('models[1].name');
  });

  it('refuses a misspelt key instead of ignoring it', () => {
    const issues = catalogIssues(`models:\n${entry({ default: 'true', famly: 'sd2' })}\n`);
    expect(issues.join('\n')).toMatch(/models\[0\].*famly/);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = catalogIssues('models:\n  - name: [\n');
    expect(issues.join('\n')).toMatch(/line \d+/);
  });
});

describe('catalog decoders (TAESD)', () => {
  it('config/models.yaml names one TAESD per latent space: taesd for SD 1.x/2.x, taesdxl for SDXL', async () => {
    const catalog = await loadModelCatalog(path.join(projectRoot, 'config', 'models.yaml'));
    expect(catalog.decoders.map((decoder) => [decoder.name, decoder.latentSpace, decoder.repo])).toEqual([
      ['taesd', 'sd', 'deinferno/taesd-onnx'],
      ['taesdxl', 'sdxl', 'julienkay/taesdxl'],
    ]);
  });

  it('defaults to none, and refuses two for one latent space or a decoder named like a model', () => {
    expect(parseModelCatalog(`models:\n${entry({ default: 'true' })}\n`, 'models.yaml').decoders).toEqual([]);
    const decoder = (name: string, space: string): string =>
      `  - { name: ${name}, repo: owner/${name}, latentSpace: ${space}, description: tiny VAE, license: MIT, approxSizeGB: 0.01 }`;
    const issues = catalogIssues(`models:\n${entry({ default: 'true', decoder: 'taesd' })}\ndecoders:\n${decoder('taesd', 'sd')}\n${decoder('one', 'sd')}\n`);
    expect(issues).toEqual([
      expect.stringMatching(/^decoders\[1\]\.name \(line \d+\): the name of a model too$/),
      expect.stringMatching(/^decoders\[1\]\.latentSpace \(line \d+\): decoders\[0\] already serves sd latents$/),
    ]);
    expect(catalogIssues(`models:\n${entry({ default: 'true', decoder: 'tiny' })}\n`)).toEqual([expect.stringMatching(/^models\[0\]\.decoder/)]);
  });
});
