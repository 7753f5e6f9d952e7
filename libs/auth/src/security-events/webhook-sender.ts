import { Webhook } from 'standardwebhooks';
import type { SecurityEvent } from './security-event';

/** How long one delivery may take before it counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookTarget {
  url: string;
  /** The Standard Webhooks secret: `whsec_` and base64 of at least 24 random bytes. */
  secret: string;
}

/**
 * POSTs a security event to the webhook as JSON, signed the Standard Webhooks way (the
 * `standardwebhooks` package: `webhook-id`, `webhook-timestamp`, `webhook-signature:
 * v1,<base64 HMAC-SHA256 of id.timestamp.body>`). Resolves when the receiver answered 2xx;
 * rejects otherwise, with a message that names the status or the network error (never the
 * body, which is the receiver's).
 */
export class WebhookSender {
  private readonly signer: Webhook;

  constructor(private readonly target: WebhookTarget) {
    this.signer = new Webhook(target.secret);
  }

  async send(event: SecurityEvent, now = new Date()): Promise<void> {
    const body = JSON.stringify(event);
    const response = await fetch(this.target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'keyring-auth-webhooks',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': this.signer.sign(event.id, now, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    // The body is not needed; reading it frees the connection for the next delivery.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`webhook answered ${response.status}`);
    }
  }
}

/** Whether `secret` is a usable Standard Webhooks secret (`whsec_` optional). */
export function isWebhookSecret(secret: string): boolean {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return false;
  return Buffer.from(base64, 'base64').length >= 24;
}
