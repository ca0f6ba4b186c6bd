import type { z } from 'zod';
import type { Result } from '../result.ts';
import { compileCheck, declaredMessage, type Check } from './compile-checks.ts';
import { UnsupportedSchemaError } from './compile-errors.ts';
import { inlineLeafExpression, type InlineConstants } from './compile-inline.ts';

/**
 * Compiles a zod 4 schema, once, into a plain function with the same accept/reject decision as
 * `schema.safeParse` and, for `compileParser`, the same output (unknown keys stripped, keys in
 * schema order, defaults filled in). Covers the constructs our schemas use; anything else (pipe,
 * transform, coerce, overwrite checks, records, tuples, discriminated unions, …) makes compiling
 * throw with the zod type name, so nobody silently gets a weaker check. Equivalence with zod is
 * tested property-based in shared/test/compile-validator.test.ts.
 */

/** What a compiled validator returns: accepted, or the first issue as `path: message`. */
export type Validation = { ok: true } | { ok: false; reason: string };

type AnySchema = z.core.$ZodType;
type Def = { type: string } & Record<string, unknown>;
/** A compiled node: the parsed value, or FAIL after recording the issue. */
type Node = (value: unknown) => unknown;

const FAIL: unique symbol = Symbol('fail');

export { UnsupportedSchemaError } from './compile-errors.ts';

type Issue = { path: (string | number)[]; message: string };

function defOf(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

class Compiler {
  readonly issue: Issue = { path: [], message: '' };
  readonly build: boolean;
  private readonly lazies = new Map<AnySchema, Node>();

  constructor(build: boolean) {
    this.build = build;
  }

  private fail(message: string): typeof FAIL {
    this.issue.path = [];
    this.issue.message = message;
    return FAIL;
  }

  compile(schema: AnySchema): Node {
    const def = defOf(schema);
    const base = this.compileType(schema, def);
    const checks = this.compileChecks(schema, def);
    if (checks.length === 0) return base;
    return (value) => {
      const out = base(value);
      if (out === FAIL) return FAIL;
      for (const check of checks) {
        const message = check(out);
        if (message !== undefined) return this.fail(message);
      }
      return out;
    };
  }

  private compileType(schema: AnySchema, def: Def): Node {
    if (def['coerce'] === true) throw new UnsupportedSchemaError(`compile-validator: coerced ${def.type} is not supported`);
    switch (def.type) {
      case 'string':
        return (v) => (typeof v === 'string' ? v : this.fail(`expected string, received ${describe(v)}`));
      case 'number':
        return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : this.fail(`expected number, received ${describe(v)}`));
      case 'boolean':
        return (v) => (typeof v === 'boolean' ? v : this.fail(`expected boolean, received ${describe(v)}`));
      case 'literal':
      case 'enum': {
        const values = schema._zod.values;
        if (values === undefined) throw new UnsupportedSchemaError(`compile-validator: ${def.type} without values`);
        const allowed = new Set<unknown>(values);
        const list = [...allowed].map((x) => JSON.stringify(x)).join(' | ');
        return (v) => (allowed.has(v) ? v : this.fail(`expected one of ${list}`));
      }
      case 'optional': {
        const inner = this.compile(def['innerType'] as AnySchema);
        // zod lets a defaulted inner schema fill in for undefined
        if ((def['innerType'] as AnySchema)._zod.optin === 'defaulted') return inner;
        return (v) => (v === undefined ? undefined : inner(v));
      }
      case 'nullable': {
        const inner = this.compile(def['innerType'] as AnySchema);
        return (v) => (v === null ? null : inner(v));
      }
      case 'default': {
        const inner = this.compile(def['innerType'] as AnySchema);
        return (v) => {
          if (v === undefined) return def['defaultValue'];
          const out = inner(v);
          return out === undefined ? def['defaultValue'] : out;
        };
      }
      case 'array':
        return this.compileArray(def['element'] as AnySchema);
      case 'object':
        return this.compileObject(def);
      case 'union':
        return this.compileUnion(def);
      case 'custom': {
        const fn = def['fn'] as (value: unknown) => unknown;
        const message = declaredMessage(def) ?? 'failed custom check';
        return (v) => {
          const r = fn(v);
          if (r instanceof Promise) throw new UnsupportedSchemaError('compile-validator: async custom check');
          return r ? v : this.fail(message);
        };
      }
      case 'lazy':
        return this.compileLazy(schema, def);
      default:
        throw new UnsupportedSchemaError(`compile-validator: zod type '${def.type}' is not supported`);
    }
  }

  private compileLazy(schema: AnySchema, def: Def): Node {
    const known = this.lazies.get(schema);
    if (known !== undefined) return known;
    // Registered before compiling the target, so a recursive schema refers back to this node.
    const holder: { target?: Node } = {};
    const node: Node = (v) => (holder.target as Node)(v);
    this.lazies.set(schema, node);
    holder.target = this.compile((def['getter'] as () => AnySchema)());
    return node;
  }

  private compileArray(elementSchema: AnySchema): Node {
    const element = this.compile(elementSchema);
    const build = this.build;
    return (v) => {
      if (!Array.isArray(v)) return this.fail(`expected array, received ${describe(v)}`);
      const out: unknown[] | undefined = build ? new Array<unknown>(v.length) : undefined;
      for (let i = 0; i < v.length; i++) {
        const item = element(v[i]);
        if (item === FAIL) {
          this.issue.path.unshift(i);
          return FAIL;
        }
        if (out !== undefined) out[i] = item;
      }
      return out ?? v;
    };
  }

  private compileObject(def: Def): Node {
    const shape = def['shape'] as Record<string, AnySchema>;
    // Mirrors zod's handlePropertyResult: how absence is treated follows the field's optin/optout.
    const fields = Object.keys(shape)
      .filter((key) => key !== '__proto__')
      .map((key) => {
        const schema = shape[key] as AnySchema;
        const optin = schema._zod.optin;
        const optionalOut = schema._zod.optout === 'optional';
        return {
          key,
          node: this.compile(schema),
          required: optin === undefined,
          // optional in and out: an absent key's issues are ignored; `optional` contributes nothing when absent
          optional: optin !== undefined && optionalOut,
          skipAbsent: optin === 'optional' && optionalOut,
          // an undefined result is kept for a present key, or for a defaulted one that is not optional-out
          keepUndefined: optin === 'defaulted' && !optionalOut,
        };
      });
    if (Object.getOwnPropertySymbols(shape).length > 0) throw new UnsupportedSchemaError('compile-validator: symbol keys are not supported');
    const catchall = def['catchall'] as AnySchema | undefined;
    const rest = catchall === undefined ? 'strip' : defOf(catchall).type === 'never' ? 'strict' : defOf(catchall).type === 'unknown' ? 'passthrough' : undefined;
    if (rest === undefined) throw new UnsupportedSchemaError(`compile-validator: object catchall '${defOf(catchall as AnySchema).type}' is not supported`);
    const keySet = new Set(fields.map((f) => f.key));
    // Generated once per object schema: literal property names give V8 one inline cache per
    // field, where a loop over the keys would go megamorphic.
    const lines: string[] = [
      "if (typeof v !== 'object' || v === null || Array.isArray(v)) return notObject(v);",
      this.build ? 'const out = {};' : '',
      'let x;',
    ];
    const constants: InlineConstants = [];
    fields.forEach((field, i) => {
      const k = JSON.stringify(field.key);
      const schema = shape[field.key] as AnySchema;
      const store = (y: string): string => (this.build ? `out[${k}] = ${y};` : '');
      // Leaves (and arrays of leaves) are checked inline; on failure the closure runs to name the issue.
      const inlineRequired = field.required ? this.inlineField(schema, i, k, constants) : undefined;
      const optionalInner = field.skipAbsent && defOf(schema).type === 'optional' ? (defOf(schema)['innerType'] as AnySchema) : undefined;
      const inlineOptional = optionalInner === undefined ? undefined : this.inlineField(optionalInner, i, k, constants);
      if (inlineRequired !== undefined) {
        lines.push(`{ x = v[${k}]; ${inlineRequired.check} ${store(inlineRequired.output)} }`);
      } else if (inlineOptional !== undefined) {
        lines.push(`if (${k} in v) { x = v[${k}]; if (x !== undefined) { ${inlineOptional.check} ${store(inlineOptional.output)} } else { ${store('undefined')} } }`);
      } else {
        const read = `x = n[${i}](v[${k}]);`;
        const failed = field.optional ? `if (x === FAIL) { if (${k} in v) return failAt(${k}); }` : `if (x === FAIL) return failAt(${k});`;
        const keep = field.required || field.keepUndefined ? store('x') : this.build ? `if (x !== undefined || ${k} in v) out[${k}] = x;` : '';
        if (field.skipAbsent) lines.push(`if (${k} in v) { ${read} if (x === FAIL) return failAt(${k}); ${keep} }`);
        else if (field.required) lines.push(`${read} if (x === FAIL) return failAt(${k}); if (!(${k} in v)) return absent(${k}); ${keep}`);
        else lines.push(`${read} ${failed} else { ${keep} }`);
      }
    });
    if (rest === 'strict') lines.push("for (const key in v) if (!keySet.has(key)) return unknownKey(key);");
    else if (rest === 'passthrough' && this.build) lines.push("for (const key in v) if (!keySet.has(key) && key !== '__proto__') out[key] = v[key];");
    lines.push(this.build ? 'return out;' : 'return v;');
    const factory = new Function('n', 'FAIL', 'keySet', 'notObject', 'failAt', 'absent', 'unknownKey', 'leafFail', 'C', `return function compiledObject(v) {\n${lines.join('\n')}\n};`) as (...args: unknown[]) => Node;
    const issue = this.issue;
    const nodes = fields.map((f) => f.node);
    return factory(
      nodes,
      FAIL,
      keySet,
      (v: unknown) => this.fail(`expected object, received ${describe(v)}`),
      (key: string) => {
        issue.path.unshift(key);
        return FAIL;
      },
      (key: string) => {
        issue.path = [key];
        issue.message = 'required';
        return FAIL;
      },
      (key: string) => this.fail(`unrecognized key '${key}'`),
      (i: number, value: unknown, key: string) => {
        if ((nodes[i] as Node)(value) !== FAIL) throw new Error(`compile-validator: inline check of '${key}' disagrees with its closure`);
        issue.path.unshift(key);
        return FAIL;
      },
      constants,
    );
  }

  /** Inline statements checking `x` for a leaf or an array of leaves (output expression alongside), or undefined. */
  private inlineField(schema: AnySchema, i: number, k: string, constants: InlineConstants): { check: string; output: string } | undefined {
    const leaf = inlineLeafExpression(schema, 'x', constants);
    if (leaf !== undefined) return { check: `if (!(${leaf})) return leafFail(${i}, x, ${k});`, output: 'x' };
    const def = defOf(schema);
    if (def.type !== 'array' || def['coerce'] === true) return undefined;
    const mark = constants.length;
    const element = inlineLeafExpression(def['element'] as AnySchema, 'e', constants);
    const sizes = ((def['checks'] as Check[] | undefined) ?? []).map((c) => c._zod.def);
    if (element === undefined || !sizes.every((c) => c.check === 'min_length' || c.check === 'max_length')) {
      constants.length = mark;
      return undefined;
    }
    const size = sizes.map((c) => (c.check === 'min_length' ? `x.length >= ${Number(c['minimum'])}` : `x.length <= ${Number(c['maximum'])}`));
    const fail = `return leafFail(${i}, x, ${k});`;
    const copy = this.build ? 'a[j] = e;' : '';
    return {
      check: `if (!Array.isArray(x)${size.map((c) => ` || !(${c})`).join('')}) ${fail} ${this.build ? 'const a = new Array(x.length);' : ''} for (let j = 0; j < x.length; j++) { const e = x[j]; if (!(${element})) ${fail} ${copy} }`,
      output: this.build ? 'a' : 'x',
    };
  }

  private compileUnion(def: Def): Node {
    if (def['discriminator'] !== undefined) throw new UnsupportedSchemaError("compile-validator: zod type 'discriminated union' is not supported");
    if (def['inclusive'] === false) throw new UnsupportedSchemaError("compile-validator: zod type 'xor' is not supported");
    const options = (def['options'] as AnySchema[]).map((o) => this.compile(o));
    return (v) => {
      for (const option of options) {
        const out = option(v);
        if (out !== FAIL) return out;
      }
      return this.fail('matches no option of the union');
    };
  }

  /** The checks of a schema as functions returning a message on failure. */
  private compileChecks(schema: AnySchema, def: Def): ((value: unknown) => string | undefined)[] {
    const all = [...((def['checks'] as Check[] | undefined) ?? [])];
    // A schema that is itself a check (z.int(), z.email(), …) runs first, as in zod; custom runs its fn as its type.
    if (schema._zod.traits.has('$ZodCheck') && def.type !== 'custom') all.unshift(schema as unknown as Check);
    if (!this.build && (def.type === 'object' || def.type === 'array') && all.some((c) => c._zod.def.check === 'custom')) {
      // A refinement sees zod's parsed copy (unknown keys dropped), which validate-only mode does not build.
      throw new UnsupportedSchemaError(`compile-validator: a refinement on ${def.type} needs compileParser`);
    }
    return all.map((check) => compileCheck(check));
  }
}

function reasonOf(issue: Issue): string {
  return `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`;
}

/** Compiles `schema` into a yes/no validator with the same verdict as `schema.safeParse`. Throws UnsupportedSchemaError for constructs it does not cover. */
export function compileValidator(schema: AnySchema): (value: unknown) => Validation {
  const compiler = new Compiler(false);
  const root = compiler.compile(schema);
  return (value) => (root(value) === FAIL ? { ok: false, reason: reasonOf(compiler.issue) } : { ok: true });
}

/** Compiles `schema` into a parser returning what `schema.safeParse` would (stripped, schema-ordered copy) as a Result. Throws UnsupportedSchemaError for constructs it does not cover. */
export function compileParser<S extends AnySchema>(schema: S): (value: unknown) => Result<z.core.output<S>> {
  const compiler = new Compiler(true);
  const root = compiler.compile(schema);
  return (value) => {
    const out = root(value);
    return out === FAIL ? { ok: false, reason: reasonOf(compiler.issue) } : { ok: true, value: out as z.core.output<S> };
  };
}
