/** Reading what a person would see in the fake Slack: status messages, their buttons, the images in their threads. */
import type { FakeSlack, FakeSlackMessage } from '../../../fakes/slack/index.ts';
import type { SlackHarness } from './slack-harness.ts';

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ShownButton {
  actionId: string;
  value: string | undefined;
  label: string;
  style: string | undefined;
}

export function buttonsOf(message: FakeSlackMessage): ShownButton[] {
  const buttons: ShownButton[] = [];
  for (const block of (message.blocks ?? []) as Array<{ type: string; elements?: Array<Record<string, unknown>> }>) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements ?? []) {
      buttons.push({
        actionId: String(element['action_id']),
        value: element['value'] as string | undefined,
        label: String((element['text'] as { text: string }).text),
        style: element['style'] as string | undefined,
      });
    }
  }
  return buttons;
}

/** The visible text of a message: its section blocks (or its text without blocks). */
export function textOf(message: FakeSlackMessage): string {
  const sections = ((message.blocks ?? []) as Array<{ type: string; text?: { text: string } }>).filter((block) => block.type === 'section');
  return sections.length > 0 ? sections.map((block) => block.text?.text ?? '').join('\n') : message.text;
}

/** Jobs in the database, oldest first. */
export async function jobs(harness: SlackHarness) {
  const rows = await harness.database.prisma.generation.findMany({ orderBy: { queueOrder: 'asc' } });
  return rows;
}

/** Waits until there are `count` jobs and returns the newest. */
export async function nthJob(harness: SlackHarness, count: number) {
  return eventually(async () => {
    const rows = await jobs(harness);
    return rows.length >= count ? rows[count - 1] : undefined;
  }, `job #${count}`);
}

/** Hands out jobs in the order they were queued, each once: "the job that this press started". */
export class JobCursor {
  readonly #seen = new Set<string>();

  constructor(private readonly harness: SlackHarness) {}

  /** Waits for the oldest job not handed out yet. */
  async next() {
    const row = await eventually(async () => (await jobs(this.harness)).find((candidate) => !this.#seen.has(candidate.id)), 'a new job');
    this.#seen.add(row.id);
    return row;
  }

  /** Jobs handed out so far. */
  get count(): number {
    return this.#seen.size;
  }
}

/** The status message of a job (from the row's chat location). */
export async function statusMessage(harness: SlackHarness, generationId: string): Promise<FakeSlackMessage> {
  return eventually(async () => {
    const row = await harness.repositories.generations.get(generationId);
    const ts = row?.chat.messageId;
    return ts === undefined ? undefined : harness.fake.workspace.message(row!.channelId, ts);
  }, `status message of ${generationId}`);
}

/** Waits for the job's result: the status message with its reroll button and `images` image messages in its thread. */
export async function finishedResult(harness: SlackHarness, generationId: string, images: number) {
  const status = await statusMessage(harness, generationId);
  await eventually(() => (buttonsOf(status).some((button) => button.actionId === `reroll:${generationId}`) ? true : undefined), `result of ${generationId}`);
  const imageMessages = await eventually(() => {
    const thread = harness.fake.workspace.thread(status.channel, status.ts).filter((message) => message.fileIds.length > 0);
    return thread.length >= images ? thread : undefined;
  }, `${images} images of ${generationId}`);
  return { status, imageMessages, files: imageMessages.map((message) => harness.fake.workspace.files.get(message.fileIds[0]!)!) };
}

/** Ephemeral messages a person got, newest last. */
export function ephemeralsTo(fake: FakeSlack, user: string) {
  return fake.workspace.ephemerals.filter((message) => message.user === user);
}

/** Waits for the `n`-th ephemeral to a person (1-based) and returns its text. */
export async function nthEphemeral(fake: FakeSlack, user: string, n: number): Promise<string> {
  const message = await eventually(() => ephemeralsTo(fake, user)[n - 1], `ephemeral #${n} to ${user}`);
  return message.text;
}
