/**
 * What pino replaces with "[redacted]" in any object it logs. The server never puts a request
 * body, a header set or a credential in a log line (the access line is built field by field);
 * these paths are the second line of defence should an error or a future line carry one.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'headers.authorization',
  'headers.cookie',
  'body',
  '*.body',
  '*.authorization',
  '*.cookie',
  // Every credential field of the contract, at the top of a logged object or one level down.
  ...[
    'api_key_secret',
    'client_secret',
    'registration_token',
    'refresh_token',
    'access_token',
    'id_token',
    'token',
    'secret',
    'password',
  ].flatMap((field) => [field, `*.${field}`]),
  // A driver error's bound parameters can hold token hashes and other values from a request.
  'err.parameters',
  'err.driverError.parameters',
];

export const REDACTION_CENSOR = '[redacted]';
