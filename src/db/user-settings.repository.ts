import type { PrismaClient } from './generated/client.ts';
import type { Clock, UserSettings } from './domain.types.ts';
import { nullable, toUserSettings } from './prisma-mappers.ts';

/** Personal /imagine defaults. */
export interface UserSettingsRepository {
  /** undefined when the person never saved settings. */
  get(userId: string): Promise<UserSettings | undefined>;
  /** Replaces all fields (undefined clears one back to the server default). */
  save(userId: string, settings: UserSettings): Promise<UserSettings>;
}

export class PrismaUserSettingsRepository implements UserSettingsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async get(userId: string): Promise<UserSettings | undefined> {
    const row = await this.prisma.userSettings.findUnique({ where: { userId } });
    return row ? toUserSettings(row) : undefined;
  }

  async save(userId: string, settings: UserSettings): Promise<UserSettings> {
    const columns = {
      negativePrompt: nullable(settings.negativePrompt),
      aspect: nullable(settings.aspect),
      steps: nullable(settings.steps),
      guidance: nullable(settings.guidance),
      model: nullable(settings.model),
      scheduler: nullable(settings.scheduler),
      count: nullable(settings.count),
      updatedAt: this.now(),
    };
    const row = await this.prisma.userSettings.upsert({
      where: { userId },
      create: { userId, ...columns },
      update: columns,
    });
    return toUserSettings(row);
  }
}
