// Prisma 7 CLI configuration (`prisma generate`, and `prisma migrate deploy|status` on a
// machine that can run Prisma's native engine). At run time Darkroom does not read this
// file: src/db/migrate.ts applies the same migrations through the wasm schema engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Optional: only the migrate/db commands need it, and `generate` must work without it.
  datasource: { url: process.env['DATABASE_URL'] },
});
