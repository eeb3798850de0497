import type { PGlite } from '@electric-sql/pglite';
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

/**
 * Driver adapter factories for the Prisma client and the wasm schema engine.
 *
 * Both upstream adapters run migration scripts in a way that breaks `migrate deploy`'s
 * guarantees, so `executeScript` is replaced:
 * - pglite-prisma-adapter does not await `exec()`, so a failing migration would be recorded
 *   as applied and its error would surface as an unhandled rejection;
 * - @prisma/adapter-pg splits the script on `;` and sends statements one by one, outside any
 *   transaction (and breaks on a `;` inside a string or function body).
 * Sending the whole script as one simple-protocol query is what the native engine does: PostgreSQL
 * runs a multi-statement query as one implicit transaction, so a failed migration leaves nothing.
 */
type ScriptRunner = (script: string) => Promise<unknown>;

function withAtomicScripts<A extends SqlDriverAdapter>(adapter: A, run: ScriptRunner): A {
  adapter.executeScript = async (script: string) => {
    await run(script);
  };
  return adapter;
}

/** Adapter factory over one PGlite instance (PGlite is a single connection; it queues queries). */
export function pgliteAdapterFactory(pglite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  const upstream = new PrismaPGlite(pglite);
  return {
    provider: upstream.provider,
    adapterName: upstream.adapterName,
    connect: async () => withAtomicScripts(await upstream.connect(), (script) => pglite.exec(script)),
    connectToShadowDb: async () => {
      // A throw-away in-memory database, closed when the engine disposes it.
      const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
      const shadow = await PGliteClass.create();
      const adapter = withAtomicScripts(await new PrismaPGlite(shadow).connect(), (script) => shadow.exec(script));
      adapter.dispose = () => shadow.close();
      return adapter;
    },
  };
}

/** A PostgreSQL URL split into what `pg` understands and the Prisma-style `?schema=` parameter. */
export interface PostgresTarget {
  /** Connection string without the `schema` parameter. */
  connectionString: string;
  /** Schema (namespace) holding Darkroom's tables; `public` unless `?schema=` says otherwise. */
  schema: string;
}

/** Parses `postgres://…` / `postgresql://…`, keeping Prisma's `?schema=` convention. */
export function parsePostgresUrl(url: string): PostgresTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** Quotes an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Adapter factory for a real PostgreSQL server. Every pooled connection gets
 * `search_path = <schema>` so unqualified migration SQL lands in the chosen schema, and the
 * Prisma client qualifies its own queries with the same schema.
 */
export function postgresAdapterFactory(target: PostgresTarget): SqlMigrationAwareDriverAdapterFactory {
  const poolConfig: Exclude<ConstructorParameters<typeof PrismaPg>[0], string> = {
    connectionString: target.connectionString,
    options: `-c search_path=${quoteIdentifier(target.schema)}`,
    max: 10,
    // Without a bound, a host that drops packets keeps start-up (and doctor) waiting for minutes.
    connectionTimeoutMillis: 10_000,
  };
  const upstream = new PrismaPg(poolConfig, { schema: target.schema });
  const atomic = async (adapter: Awaited<ReturnType<PrismaPg['connect']>>) =>
    withAtomicScripts(adapter, (script) => adapter.underlyingDriver().query(script));
  return {
    provider: upstream.provider,
    adapterName: upstream.adapterName,
    connect: async () => atomic(await upstream.connect()),
    connectToShadowDb: async () => atomic(await upstream.connectToShadowDb()),
  };
}
