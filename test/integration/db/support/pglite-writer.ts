/**
 * Child process for the kill -9 test: opens the file-backed PGlite in argv[2], then writes jobs
 * (each one a create + a multi-row success transaction) as fast as it can, printing
 * `committed <n> <id>` after each write has been acknowledged. It never stops by itself.
 */
import { createRepositories, openDatabase, systemClock } from '../../../../src/db/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pglite-writer.ts <dataDir>');

const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
await database.migrate();
const repos = createRepositories(database, systemClock);
const user = await repos.users.upsert({ platform: 'discord', externalId: 'writer', displayName: 'Writer' });
process.stdout.write('ready\n');

for (let n = 1; ; n++) {
  const job = await repos.generations.create({
    userId: user.id,
    workspaceId: undefined,
    channelId: 'kill-test',
    kind: 'imagine',
    parentId: undefined,
    parentImageIndex: undefined,
    prompt: `prompt number ${n} `.repeat(20),
    negativePrompt: '',
    seed: n,
    steps: 1,
    guidance: 1,
    scheduler: 'euler',
    width: 64,
    height: 64,
    model: 'm',
    count: 4,
    strength: undefined,
    chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
  });
  await repos.generations.markRunning(job.id);
  const images = [0, 1, 2, 3].map((index) => ({
    index,
    fileKey: `${job.id}-${index}.png`,
    width: 64,
    height: 64,
    sha256: 'e'.repeat(64),
    bytes: 100,
    nsfw: undefined,
  }));
  await repos.generations.markSucceeded(job.id, { images, gpuMs: n });
  process.stdout.write(`committed ${n} ${job.id}\n`);
}
