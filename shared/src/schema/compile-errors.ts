/** Thrown when compiling a zod schema meets a construct the compiler does not cover (names it). */
export class UnsupportedSchemaError extends Error {
  override name = 'UnsupportedSchemaError';
}
