/**
 * The people and places of the fake Discord. The default scene: one server with a normal and an
 * NSFW channel, a direct-message channel, three ordinary people, one moderator by permission
 * (Manage Messages) and one by a role that has no permissions but is configured as a moderator role.
 */
import type { FakeChannel, FakeGuild, FakeUser } from './fake-discord.types.ts';
import { PERMISSIONS } from './interaction-payloads.ts';

export interface FakeScene {
  token: string;
  applicationId: string;
  botUser: FakeUser;
  users: FakeUser[];
  guilds: FakeGuild[];
  channels: FakeChannel[];
}

/** Ids of the default scene (digits, as the config wants Discord ids). */
export const SCENE = {
  token: 'fake-bot-token.abc.def',
  applicationId: '900000000000000001',
  guildId: '100000000000000001',
  general: '200000000000000001',
  nsfwChannel: '200000000000000002',
  dmChannel: '200000000000000009',
  moderatorsRole: '400000000000000001',
  helpersRole: '400000000000000002',
  bot: { id: '900000000000000001', username: 'Darkroom', bot: true },
  alice: { id: '300000000000000001', username: 'alice', bot: false },
  bob: { id: '300000000000000002', username: 'bob', bot: false },
  carol: { id: '300000000000000005', username: 'carol', bot: false },
  mod: { id: '300000000000000003', username: 'mod', bot: false },
  helper: { id: '300000000000000004', username: 'helper', bot: false },
} as const;

const everyone = PERMISSIONS.viewChannel | PERMISSIONS.sendMessages | PERMISSIONS.useApplicationCommands;

export function defaultScene(extraUsers: FakeUser[] = []): FakeScene {
  const people: FakeUser[] = [SCENE.alice, SCENE.bob, SCENE.carol, SCENE.mod, SCENE.helper, ...extraUsers].map((user) => ({ ...user }));
  return {
    token: SCENE.token,
    applicationId: SCENE.applicationId,
    botUser: { ...SCENE.bot },
    users: people,
    guilds: [
      {
        id: SCENE.guildId,
        name: 'Darkroom test server',
        ownerId: '300000000000009999',
        roles: [
          { id: SCENE.guildId, name: '@everyone', permissions: everyone.toString() },
          { id: SCENE.moderatorsRole, name: 'Moderators', permissions: (everyone | PERMISSIONS.manageMessages).toString() },
          { id: SCENE.helpersRole, name: 'Helpers', permissions: everyone.toString() },
        ],
        members: people.map((user) => ({
          userId: user.id,
          roleIds: user.id === SCENE.mod.id ? [SCENE.moderatorsRole] : user.id === SCENE.helper.id ? [SCENE.helpersRole] : [],
        })),
      },
    ],
    channels: [
      { id: SCENE.general, guildId: SCENE.guildId, name: 'general', nsfw: false },
      { id: SCENE.nsfwChannel, guildId: SCENE.guildId, name: 'after-dark', nsfw: true },
      { id: SCENE.dmChannel, guildId: undefined, name: 'dm', nsfw: false },
    ],
  };
}
