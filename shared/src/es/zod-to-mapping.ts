import type { z } from 'zod';
import { fail, ok, type Result } from '../result.ts';

/**
 * Derives an Elasticsearch mapping from a zod schema, so the index mapping cannot drift from
 * the schema the producers validate with. Strings become `keyword`, whole numbers `long`,
 * other numbers `double`, booleans `boolean`, objects `properties`; arrays map to their
 * element. Anything the walk cannot type on its own (custom JSON values, unions of unlike
 * types) must have an explicit override, and so must every field that needs `ip`, `date`
 * or `text`.
 */

/** One field of an Elasticsearch mapping (the subset this project writes). */
export type FieldMapping = {
  type?: string;
  properties?: Record<string, FieldMapping>;
  dynamic?: boolean | 'strict';
  enabled?: boolean;
  fields?: Record<string, FieldMapping>;
  ignore_above?: number;
  ignore_malformed?: boolean;
  format?: string;
};

/** Explicit mappings by dotted path (e.g. `source.ip`), taking precedence over the walk. */
export type MappingOverrides = Readonly<Record<string, FieldMapping>>;

/** Schemas that map to `date` wherever they appear (e.g. the ISO timestamp schema). */
export type DateSchemas = ReadonlySet<z.ZodType>;

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; options?: readonly z.ZodType[]; in?: z.ZodType; out?: z.ZodType; values?: readonly unknown[]; entries?: Record<string, unknown> };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const wrappers = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** Strips optional/nullable/default/readonly wrappers and pipes (mapping follows the input side of a pipe's output). */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (wrappers.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.out) current = defOf(def.out).type === 'transform' && def.in ? def.in : def.out;
    else if (def.type === 'array' && def.element) current = def.element;
    else return current;
  }
}

function scalarKind(values: readonly unknown[]): string | undefined {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size !== 1) return undefined;
  const [kind] = [...kinds];
  if (kind === 'string') return 'keyword';
  if (kind === 'boolean') return 'boolean';
  if (kind === 'number') return values.every((v) => Number.isInteger(v)) ? 'long' : 'double';
  return undefined;
}

const keyword: FieldMapping = { type: 'keyword', ignore_above: 1024 };

function leafMapping(schema: z.ZodType, dateSchemas: DateSchemas): FieldMapping | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return dateSchemas.has(schema) ? { type: 'date', format: 'strict_date_optional_time' } : keyword;
    case 'number':
      return (schema as unknown as { isInt?: boolean }).isInt === true ? { type: 'long' } : { type: 'double' };
    case 'bigint':
      return { type: 'long' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'date' };
    case 'enum': {
      const type = scalarKind(Object.values(def.entries ?? {}));
      return type === 'keyword' ? keyword : type ? { type } : undefined;
    }
    case 'literal': {
      const type = scalarKind(def.values ?? []);
      return type === 'keyword' ? keyword : type ? { type } : undefined;
    }
    case 'union': {
      const mapped = (def.options ?? []).map((o) => leafMapping(unwrap(o), dateSchemas));
      const first = mapped[0];
      if (!first || mapped.some((m) => m === undefined || m.type !== first.type)) return undefined;
      return first;
    }
    default:
      return undefined;
  }
}

function walk(schema: z.ZodType, path: string, overrides: MappingOverrides, dateSchemas: DateSchemas, problems: string[]): FieldMapping {
  const override = overrides[path];
  if (override) return override;
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object' && def.shape) {
    const properties: Record<string, FieldMapping> = {};
    for (const [key, child] of Object.entries(def.shape)) {
      properties[key] = walk(child, path === '' ? key : `${path}.${key}`, overrides, dateSchemas, problems);
    }
    return { properties };
  }
  const leaf = leafMapping(inner, dateSchemas);
  if (leaf) return leaf;
  problems.push(`${path}: zod type '${def.type}' has no mapping; add an override`);
  return {};
}

/**
 * Returns the `properties` of the mapping for an object schema, or a failure listing every
 * field that could not be mapped and every override whose path is not in the schema.
 */
export function mappingFromSchema(schema: z.ZodType, overrides: MappingOverrides = {}, dateSchemas: DateSchemas = new Set()): Result<Record<string, FieldMapping>> {
  const problems: string[] = [];
  const root = walk(schema, '', overrides, dateSchemas, problems);
  const schemaPaths = new Set(schemaPathsOf(schema));
  for (const path of Object.keys(overrides)) {
    if (!schemaPaths.has(path)) problems.push(`${path}: override names no field of the schema`);
  }
  if (problems.length > 0) return fail(problems.join('; '));
  if (!root.properties) return fail('schema is not an object');
  return ok(root.properties);
}

/** Every dotted path of an object schema, intermediate objects included, in schema order. */
export function schemaPathsOf(schema: z.ZodType, prefix = ''): string[] {
  const def = defOf(unwrap(schema));
  if (def.type !== 'object' || !def.shape) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(def.shape)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.push(path, ...schemaPathsOf(child, path));
  }
  return out;
}

/** Every leaf field of a mapping as `path → type` (`object` for a disabled object, `flattened` kept as such). */
export function mappedFieldsOf(properties: Record<string, FieldMapping>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, field] of Object.entries(properties)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (field.properties) {
      for (const [p, t] of mappedFieldsOf(field.properties, path)) out.set(p, t);
    } else {
      out.set(path, field.type ?? 'object');
      for (const [sub, subField] of Object.entries(field.fields ?? {})) out.set(`${path}.${sub}`, subField.type ?? 'object');
    }
  }
  return out;
}
