import { ApiKeyEntity } from './api-users/api-key.entity';
import { ApiUserEntity } from './api-users/api-user.entity';
import { AuditEventEntity } from './audit/audit-event.entity';
import { ClientEntity } from './clients/client.entity';
import { SigningKeyEntity } from './keys/signing-key.entity';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { SessionEntity } from './sessions/session.entity';
import { WalletTokenEntity } from './profiles/wallet-refresh/wallet-token.entity';
import { SecurityEventConsumerEntity } from './security-events/security-event-consumer.entity';
import { SecurityEventOutboxEntity } from './security-events/security-event-outbox.entity';

/** Every entity of the library, for a host's `TypeOrmModule.forRoot({ entities })`. */
export const AUTH_ENTITIES = [
  ApiUserEntity,
  ApiKeyEntity,
  ClientEntity,
  SessionEntity,
  RefreshTokenEntity,
  SigningKeyEntity,
  AuditEventEntity,
  WalletTokenEntity,
  SecurityEventOutboxEntity,
  SecurityEventConsumerEntity,
];
