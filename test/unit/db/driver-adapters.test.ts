import { describe, expect, it } from 'vitest';
import { parsePostgresUrl, quoteIdentifier } from '../../../src/db/driver-adapters.ts';

describe('parsePostgresUrl', () => {
  it('takes Prisma\'s ?schema= out of the URL pg sees', () => {
    const target = parsePostgresUrl('postgresql://bot:s3cret@db.example:5433/darkroom?schema=tenant_a&sslmode=require');
    expect(target.schema).toBe('tenant_a');
    const url = new URL(target.connectionString);
    expect(url.searchParams.has('schema')).toBe(false);
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect([url.username, url.password, url.host, url.pathname]).toEqual(['bot', 's3cret', 'db.example:5433', '/darkroom']);
  });

  it('defaults to the public schema', () => {
    expect(parsePostgresUrl('postgres://localhost/test').schema).toBe('public');
  });
});

describe('quoteIdentifier', () => {
  it('doubles embedded quotes so a schema name cannot break out of the identifier', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});
