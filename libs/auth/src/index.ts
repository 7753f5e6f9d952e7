// The public face of the library: everything a host needs, nothing else.
export { AuthModule } from './auth.module';
export type { AuthModuleOptions } from './auth-options';
export { AUTH_ENTITIES } from './entities';
export { AUTH_MIGRATIONS } from './migrations';
export {
  Authenticated,
  CurrentPrincipal,
  Public,
  type AuthenticatedOptions,
} from './common/decorators';
export type { Principal, Role } from './common/principal';
export { BearerAuthGuard } from './token/bearer-auth.guard';
export { TokenService, type IssuedTokens } from './token/token.service';
export { ErrorFilter } from './common/error.filter';
export { createValidationPipe } from './common/validation';
export { renderError } from './common/error-body';
export { DomainError } from './common/domain-error';
export type { ErrorCode } from './common/error-codes';
export { PROFILE_NAMES, type ProfileName } from './profiles/profile-names';
export { WalletOperation, WalletTokenGuard } from './profiles/seed-004/wallet-token.guard';
export { Seed004ErrorFilter, seed004Status } from './profiles/seed-004/seed-004.controller';
export type { WalletPrincipal } from './profiles/seed-004/wallet-token.service';
