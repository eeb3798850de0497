#!/usr/bin/env node
// `npm run lint` (after eslint): fails when files under src/ import each other in a circle
// (a ⇄ b, or a → b → c → a), type-only imports included: a cycle means two files cannot be
// understood, tested or moved apart. Dynamic `import()` is the deliberate lazy-loading seam
// (the CLI loads a command's room when it runs) and does not count. Uses the TypeScript
// compiler's own parser and module resolution, so it sees what tsc sees.
// Usage: node scripts/check-import-cycles.mjs [folder …]   (default: src)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
/** Generated code (the Prisma client) is not ours to untangle. */
const skipped = [path.join(root, 'src', 'db', 'generated')];

const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);

/** @param {string} dir @returns {string[]} */
function tsFiles(dir) {
  if (skipped.includes(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Static imports and re-exports of `file` (top-level statements) that resolve to one of `known`. @returns {string[]} */
function staticImports(file, known) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const targets = [];
  for (const statement of source.statements) {
    // `import …` and `export … from` (type-only ones too); `import()` is an expression, not seen here.
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue;
    const resolved = ts.resolveModuleName(specifier.text, file, options, ts.sys).resolvedModule?.resolvedFileName;
    if (resolved !== undefined && known.has(resolved)) targets.push(resolved);
  }
  return targets;
}

const files = folders.flatMap((folder) => tsFiles(path.resolve(root, folder)));
const known = new Set(files);
/** @type {Map<string, string[]>} */
const graph = new Map(files.map((file) => [file, staticImports(file, known)]));

// Tarjan's strongly connected components: every component with more than one file (or a file
// importing itself) is a cycle.
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
/** @param {string} file */
function visit(file) {
  index.set(file, counter);
  low.set(file, counter);
  counter += 1;
  stack.push(file);
  onStack.add(file);
  for (const target of graph.get(file) ?? []) {
    if (!index.has(target)) {
      visit(target);
      low.set(file, Math.min(low.get(file), low.get(target)));
    } else if (onStack.has(target)) {
      low.set(file, Math.min(low.get(file), index.get(target)));
    }
  }
  if (low.get(file) !== index.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component);
}
for (const file of files) if (!index.has(file)) visit(file);

/** One concrete loop through a component, for the message: a → b → … → a. */
function loopThrough(component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const target of graph.get(file) ?? []) {
      if (target === start) {
        const loop = [start];
        for (let at = file; at !== start; at = previous.get(at)) loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (members.has(target) && !previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

const relative = (file) => path.relative(root, file);
if (cycles.length === 0) {
  console.log(`import cycles: none in ${files.length} files (${folders.join(', ')})`);
} else {
  console.error(`import cycles: ${cycles.length} (files that import each other in a circle; split out what both need):`);
  for (const component of cycles) {
    console.error(`  ${loopThrough(component).map(relative).join(' → ')}`);
    if (component.length > 2) console.error(`    (${component.length} files in this knot: ${component.map(relative).sort().join(', ')})`);
  }
  process.exitCode = 1;
}
