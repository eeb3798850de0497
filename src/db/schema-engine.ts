import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as SchemaEngineModule from '@prisma/schema-engine-wasm';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

/** Prisma's schema engine (the code behind `prisma migrate`), compiled to WebAssembly. */
export type SchemaEngine = SchemaEngineModule.SchemaEngine;
export type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm';

/** Callback the engine calls with one JSON log line per event. */
export type SchemaEngineLogSink = (line: string) => void;

type WasmExports = Record<string, unknown>;
type BindgenModule = typeof SchemaEngineModule & { __wbg_set_wasm(exports: WasmExports): void };

/** The slice of the WebAssembly global we use (tsconfig has no DOM lib, @types/node omits it). */
interface WebAssemblyApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: WasmExports } }>;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

let loading: Promise<typeof SchemaEngineModule> | undefined;

/**
 * Loads the wasm engine once per process. The package's own entry imports the `.wasm` file as an
 * ES module, which Node cannot do, so we instantiate it by hand and hand the exports to the
 * wasm-bindgen glue. The glue keeps module-level state: one instance serves the whole process.
 */
function loadSchemaEngineModule(): Promise<typeof SchemaEngineModule> {
  loading ??= (async () => {
    // createRequire rather than import.meta.resolve, which vitest's module runner lacks.
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glueUrl = pathToFileURL(gluePath).href;
    const glue = (await import(glueUrl)) as BindgenModule;
    const bytes = await readFile(new URL('./schema_engine_bg.wasm', glueUrl));
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': withUnrefTimers(glue) });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports['__wbindgen_start'] as () => void)();
    return glue;
  })();
  return loading;
}

/**
 * The engine arms a timer around `pg_advisory_lock` (10 s) and has no way to clear it, which
 * would keep a finished CLI run or test process alive for 10 s. Its timers guard work the
 * caller already awaits, so they need not hold the event loop open.
 */
function withUnrefTimers(glue: BindgenModule): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, value] of Object.entries(glue)) {
    if (name.startsWith('__wbg_setTimeout_') && typeof value === 'function') {
      imports[name] = (...args: unknown[]) => {
        const timer = (value as (...a: unknown[]) => unknown)(...args);
        (timer as { unref?: () => void } | undefined)?.unref?.();
        return timer;
      };
    }
  }
  return imports;
}

/** The filter Prisma uses when prisma.config.ts declares no external tables or enums. */
export const NO_EXTERNAL_ENTITIES: SchemaEngineModule.SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Runs `work` with a schema engine bound to `adapterFactory`, then frees the engine.
 * The factory must be migration-aware: `connectToShadowDb()` is used when diffing from a
 * migrations folder.
 */
export async function withSchemaEngine<T>(
  options: {
    schemaFile: { path: string; content: string };
    adapterFactory: SqlMigrationAwareDriverAdapterFactory;
    log: SchemaEngineLogSink | undefined;
  },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const module = await loadSchemaEngineModule();
  const connections = trackConnections(options.adapterFactory);
  // Unwrapped factories fail inside the engine: it expects the error-capturing wrapper.
  const bound = bindMigrationAwareSqlAdapterFactory(connections.factory);
  const engine = await module.SchemaEngine.new(
    { datamodels: [[options.schemaFile.path, options.schemaFile.content]] },
    options.log ?? (() => {}),
    bound,
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
    await connections.disposeAll();
  }
}

/**
 * The engine takes `pg_advisory_lock` for migrations and relies on closing its connection to
 * release it; the wasm build does not dispose the adapters it opened. Without this, a second
 * migration run would wait for the first pool's idle timeout, and the pool would keep the
 * process alive.
 */
function trackConnections(factory: SqlMigrationAwareDriverAdapterFactory): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  disposeAll(): Promise<void>;
} {
  const opened: SqlDriverAdapter[] = [];
  const track = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposing: Promise<void> | undefined;
    adapter.dispose = () => (disposing ??= dispose());
    opened.push(adapter);
    return adapter;
  };
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: async () => track(await factory.connect()),
      connectToShadowDb: async () => track(await factory.connectToShadowDb()),
    },
    disposeAll: async () => {
      await Promise.all(opened.map((adapter) => adapter.dispose()));
    },
  };
}
