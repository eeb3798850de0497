import { describe, expect, it } from 'vitest';
import { hubErrorToProblem, type HubContext } from '../../../src/generation/models/hub-errors.ts';

const context: HubContext = { name: 'fast', repo: 'acme/fast-onnx', revision: 'main', hubUrl: 'https://hub.example', modelsDir: '/models', tokenSent: false };

/** What undici's fetch throws: a TypeError whose cause (or the cause's cause) is the socket error. */
function fetchFailure(message: string, code: string, nested: boolean): TypeError {
  const socket = Object.assign(new Error(`socket: ${code}`), { code });
  return new TypeError(message, { cause: nested ? new Error('connect', { cause: socket }) : socket });
}

describe('hub errors', () => {
  it('a network failure anywhere in fetch’s cause chain is "hub unreachable" with the command to run elsewhere', () => {
    for (const failure of [fetchFailure('fetch failed', 'ECONNREFUSED', false), fetchFailure('terminated', 'EPIPE', false), fetchFailure('terminated', 'UND_ERR_HEADERS_TIMEOUT', true)]) {
      expect(hubErrorToProblem(failure, context)).toMatchObject({ ok: false, code: 'hub_unreachable', pullCommand: 'darkroom models pull fast' });
    }
  });

  it('a TypeError that is not the network is a bug and is rethrown', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'size')");
    expect(() => hubErrorToProblem(bug, context)).toThrow(bug);
  });
});
