/**
 * Checks request bodies against Discord's official OpenAPI 3.1 spec (the bot subset in
 * shared/ref/discord). OpenAPI 3.1 schemas are JSON Schema 2020-12: the spec's `components`
 * are registered once under their own `$id`, and each operation's body schema is compiled with
 * its `#/components/...` references pointed there. No schema forbids unknown keys, so this
 * catches wrong types, missing required fields and out-of-range values, not extra fields.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** ajv-formats is CommonJS; its default export arrives wrapped under tsx/vitest. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

const COMPONENTS_ID = 'discord-openapi-components';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export type BodyKind = 'json' | 'multipart';

/** An operation of the spec a request was matched to. */
export interface MatchedOperation {
  operationId: string;
  /** `/webhooks/{webhook_id}/{webhook_token}/messages/@original` */
  template: string;
}

interface Operation extends MatchedOperation {
  method: string;
  pattern: RegExp;
  /** Fewer parameters first, so `@original` wins over `{message_id}`. */
  parameterCount: number;
  bodies: Partial<Record<BodyKind, unknown>>;
}

type JsonSchema = Record<string, unknown>;

function pointRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(pointRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/components/') ? `${COMPONENTS_ID}${value}` : pointRefs(value);
  }
  return result;
}

function templatePattern(template: string): RegExp {
  const parts = template.split('/').map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}$`);
}

export class OpenApiValidator {
  readonly #ajv: Ajv2020;
  readonly #operations: Operation[] = [];
  readonly #compiled = new Map<string, ValidateFunction>();

  private constructor(spec: { paths: Record<string, Record<string, unknown>>; components: unknown }) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    for (const format of ['int32', 'int64', 'double', 'snowflake', 'nonce']) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema({ $id: COMPONENTS_ID, components: spec.components });
    for (const [template, item] of Object.entries(spec.paths)) {
      for (const method of METHODS) {
        const operation = item[method] as { operationId: string; requestBody?: { content?: Record<string, { schema: unknown }> } } | undefined;
        if (operation === undefined) continue;
        const content = operation.requestBody?.content ?? {};
        const bodies: Partial<Record<BodyKind, unknown>> = {};
        if (content['application/json']) bodies.json = pointRefs(content['application/json'].schema);
        if (content['multipart/form-data']) bodies.multipart = pointRefs(content['multipart/form-data'].schema);
        this.#operations.push({
          operationId: operation.operationId,
          template,
          method: method.toUpperCase(),
          pattern: templatePattern(template),
          parameterCount: (template.match(/\{/g) ?? []).length,
          bodies,
        });
      }
    }
    this.#operations.sort((a, b) => a.parameterCount - b.parameterCount);
  }

  /** Reads the spec file and compiles every body schema (so no request pays for a compile). */
  static async load(specFile: string): Promise<OpenApiValidator> {
    const validator = new OpenApiValidator(JSON.parse(await readFile(specFile, 'utf8')));
    for (const operation of validator.#operations) for (const kind of Object.keys(operation.bodies) as BodyKind[]) validator.#validator(operation, kind);
    return validator;
  }

  /** The operation for a method and a decoded path below `/api/v10`, if the spec has it. */
  match(method: string, path: string): MatchedOperation | undefined {
    const found = this.#operations.find((operation) => operation.method === method && operation.pattern.test(path));
    return found === undefined ? undefined : { operationId: found.operationId, template: found.template };
  }

  #validator(operation: Operation, kind: BodyKind): ValidateFunction | undefined {
    const schema = operation.bodies[kind];
    if (schema === undefined) return undefined;
    const key = `${operation.operationId}:${kind}`;
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      validate = this.#ajv.compile(schema as JsonSchema);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * Problems with a body, in words; empty when valid. A body sent to an operation the spec does
   * not know, or in a content type it does not accept, is a problem too.
   */
  validate(method: string, path: string, kind: BodyKind, body: unknown): string[] {
    const operation = this.#operations.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    if (operation === undefined) return [`${method} ${path}: no such operation in the spec, but a body was sent`];
    const schema = operation.bodies[kind];
    if (schema === undefined) return [`${operation.operationId}: the spec accepts no ${kind} body here`];
    const validate = this.#validator(operation, kind);
    if (validate === undefined || validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${operation.operationId}: ${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`);
  }
}
