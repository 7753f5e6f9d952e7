import type { TrustProxy } from '../config/env';

/** proxy-addr's trust function: `hop` 0 is the socket's peer, 1 the address it forwarded, … */
type TrustFunction = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY as Fastify's `trustProxy` option. Fastify now refuses a bare hop count (it
 * trusts nothing for one, as it cannot check the peer); the contract's hop count means "the
 * nearest N hops are proxies", so it becomes the function Express's `trust proxy` builds for a
 * number.
 */
export function fastifyTrustProxy(trustProxy: TrustProxy): boolean | string[] | TrustFunction {
  if (typeof trustProxy !== 'number') return trustProxy;
  const hops = trustProxy;
  return (_address, hop) => hop < hops;
}
