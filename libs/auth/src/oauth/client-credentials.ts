import { BASE64URL_PATTERN } from '../common/crypto';
import { OAuthError } from './oauth-error.filter';
import type { OAuthClientCredentialsDto } from './oauth.dto';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * The client's credentials from HTTP Basic (`client_secret_basic`, form-urlencoded id and
 * secret, RFC 6749 §2.3.1) or from the body (`client_secret_post`). Using both at once, or
 * neither, is refused.
 */
export function clientCredentialsOf(
  authorization: string | undefined,
  body: OAuthClientCredentialsDto,
): ClientCredentials {
  const basic = authorization ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (basic && inBody)
    throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.');
    try {
      return checked({
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
      });
    } catch {
      throw new OAuthError('invalid_client', 'Malformed HTTP Basic credentials.');
    }
  }
  if (body.client_id && body.client_secret)
    return checked({ clientId: body.client_id, clientSecret: body.client_secret });
  throw new OAuthError('invalid_client', 'Client authentication is required.');
}

/** Client ids are API key ids: anything else cannot be a client, and never reaches a query. */
function checked(credentials: ClientCredentials): ClientCredentials {
  if (
    !BASE64URL_PATTERN.test(credentials.clientId) ||
    credentials.clientId.length > 128 ||
    credentials.clientSecret.length > 256
  ) {
    throw new OAuthError('invalid_client', 'Unknown client.');
  }
  return credentials;
}
