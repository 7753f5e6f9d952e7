// The public face of the library: everything a host needs, nothing else.

// The module and its options.
export { AuthModule } from './auth.module';
export type { AuthModuleOptions } from './auth-options';
export type { AuthModuleExtras } from './auth.module-definition';
export { PROFILE_NAMES, type ProfileName } from './profiles/profile-names';

// Metrics: what the library counts, reported to a sink the host passes as the `metrics` option.
export {
  AUTH_FAILURE_REASONS,
  NO_AUTH_METRICS,
  REFRESH_RESULTS,
  SESSION_REVOKED_REASONS,
  TOKEN_GRANTS,
  type AuthFailureReason,
  type AuthMetricsSink,
  type RefreshResult,
  type SessionRevokedReason,
  type TokenGrant,
} from './metrics/auth-metrics';

// Schema: the host's data source lists these (or uses autoLoadEntities) and runs these.
export { AUTH_ENTITIES } from './entities';
export { AUTH_MIGRATIONS, authMigrations, type AuthMigrationsOptions } from './migrations';

// Guards and decorators for the host's own routes.
export {
  Authenticated,
  CurrentPrincipal,
  Public,
  type AuthenticatedOptions,
} from './common/decorators';
export type { Principal, Role } from './common/principal';
export { BearerAuthGuard } from './token/bearer-auth.guard';
export { WalletOperation, WalletTokenGuard } from './profiles/wallet-refresh/wallet-token.guard';
export type { WalletPrincipal } from './profiles/wallet-refresh/wallet-token.service';

// OpenAPI: the library's security schemes, and the global guard described in a host's document.
export {
  addAuthSecuritySchemes,
  AUTH_SECURITY_SCHEMES,
  documentAuthGuard,
} from './openapi/auth-openapi';

// Services a host may call.
export { TokenService, type IssuedTokens } from './token/token.service';
export { SessionsService } from './sessions/sessions.service';
export {
  SigningKeyLifecycleService,
  type KeyChangeActor,
  type SigningKeyInfo,
} from './keys/signing-key-lifecycle.service';
export type { SigningKeyStatus } from './keys/signing-key.entity';

// The error shape, for hosts that want it on their own routes too.
export { DomainError } from './common/domain-error';
export {
  SECURITY_EVENT_TYPES,
  type SecurityEvent,
  type SecurityEventType,
} from './security-events/security-event';
export type { WebhookTarget } from './security-events/webhook-sender';
export type { ErrorCode } from './common/error-codes';
export { ErrorFilter } from './common/error.filter';
export { renderError } from './common/error-body';
export { createValidationPipe } from './common/validation';
export {
  WalletRefreshErrorFilter,
  walletRefreshStatus,
} from './profiles/wallet-refresh/wallet-refresh.controller';
