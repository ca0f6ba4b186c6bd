/** MongoDB error code names for the result codes audit lines carry. */
const codeNames: Record<number, string> = {
  0: 'OK',
  1: 'InternalError',
  2: 'BadValue',
  4: 'NoSuchKey',
  6: 'HostUnreachable',
  8: 'UnknownError',
  9: 'FailedToParse',
  11: 'UserNotFound',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  17: 'ProtocolError',
  18: 'AuthenticationFailed',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  31: 'RoleNotFound',
  48: 'NamespaceExists',
  51: 'UserDataInconsistent',
  59: 'CommandNotFound',
  67: 'CannotCreateIndex',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  166: 'CommandNotSupportedOnView',
  276: 'IndexBuildAborted',
  334: 'MechanismUnavailable',
  337: 'AuthenticationAbandoned',
  11000: 'DuplicateKey',
};

/** The name of a MongoDB result code, or `Unknown(<code>)` for one we do not know. */
export function resultCodeName(code: number): string {
  return codeNames[code] ?? `Unknown(${code})`;
}
