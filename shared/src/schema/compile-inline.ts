import type { z } from 'zod';

/**
 * Leaf schemas as JavaScript expressions, for compile-validator's generated object functions:
 * a string, number, boolean, literal or enum with only min/max length, bounds, int and regex
 * checks, whose output is its input. Everything else returns undefined and stays a compiled
 * closure. An inline expression must be true exactly when the closure accepts the value; the
 * generated code calls the closure on failure to produce the message, and
 * shared/test/compile-validator.test.ts checks the verdicts against zod.
 */

type AnySchema = z.core.$ZodType;
type CheckDef = { check: string } & Record<string, unknown>;

/** Constants an expression refers to as `C[i]` (regexes, value sets). */
export type InlineConstants = unknown[];

const MAX_EQUALITIES = 8;

function constant(constants: InlineConstants, value: unknown): string {
  constants.push(value);
  return `C[${constants.length - 1}]`;
}

function checkExpression(def: CheckDef, x: string, constants: InlineConstants): string | undefined {
  switch (def.check) {
    case 'min_length':
      return `${x}.length >= ${Number(def['minimum'])}`;
    case 'max_length':
      return `${x}.length <= ${Number(def['maximum'])}`;
    case 'greater_than':
      return `${x} ${def['inclusive'] === true ? '>=' : '>'} ${Number(def['value'])}`;
    case 'less_than':
      return `${x} ${def['inclusive'] === true ? '<=' : '<'} ${Number(def['value'])}`;
    case 'number_format':
      return def['format'] === 'safeint' ? `Number.isSafeInteger(${x})` : undefined;
    case 'string_format': {
      if (def['format'] !== 'regex') return undefined;
      const pattern = def['pattern'] as RegExp;
      // A global or sticky regex keeps state between calls; zod resets it, so would we.
      if (pattern.global || pattern.sticky) return undefined;
      return `${constant(constants, pattern)}.test(${x})`;
    }
    default:
      return undefined;
  }
}

/** The expression for the type itself, before its checks. */
function typeExpression(schema: AnySchema, x: string, constants: InlineConstants): string | undefined {
  const def = schema._zod.def as unknown as { type: string; coerce?: boolean };
  if (def.coerce === true) return undefined;
  switch (def.type) {
    case 'string':
      return `typeof ${x} === 'string'`;
    case 'number':
      return `typeof ${x} === 'number' && Number.isFinite(${x})`;
    case 'boolean':
      return `typeof ${x} === 'boolean'`;
    case 'literal':
    case 'enum': {
      const values = schema._zod.values;
      if (values === undefined) return undefined;
      const list = [...values];
      // `===` agrees with Set#has (SameValueZero) except for NaN, so only strings and booleans are spelled out.
      if (list.length <= MAX_EQUALITIES && list.every((v) => typeof v === 'string' || typeof v === 'boolean')) {
        return `(${list.map((v) => `${x} === ${JSON.stringify(v)}`).join(' || ')})`;
      }
      return `${constant(constants, new Set<unknown>(list))}.has(${x})`;
    }
    default:
      return undefined;
  }
}

/**
 * An expression over the variable `x` that is true exactly when `schema` accepts the value (and
 * the output is the value itself), or undefined when the schema is not such a leaf. Never true
 * for undefined.
 */
export function inlineLeafExpression(schema: AnySchema, x: string, constants: InlineConstants): string | undefined {
  const mark = constants.length;
  const base = typeExpression(schema, x, constants);
  if (base === undefined) return undefined;
  const parts = [base];
  const checks = ((schema._zod.def as unknown as { checks?: { _zod: { def: CheckDef } }[] }).checks ?? []).map((c) => c._zod.def);
  // z.int() and friends are checks themselves and run first.
  if (schema._zod.traits.has('$ZodCheck')) checks.unshift(schema._zod.def as unknown as CheckDef);
  for (const check of checks) {
    const expression = checkExpression(check, x, constants);
    if (expression === undefined) {
      constants.length = mark;
      return undefined;
    }
    parts.push(expression);
  }
  return parts.join(' && ');
}
