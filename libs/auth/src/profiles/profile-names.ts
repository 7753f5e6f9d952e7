/**
 * The wire-format profiles a host can mount, named by what they serve: other products'
 * refresh APIs over the same sessions. Names only, with no imports: the module definition and
 * configuration code need them without loading the profile modules.
 */
export type ProfileName = 'authenticate-refresh' | 'login-refresh-token' | 'wallet-refresh';
export const PROFILE_NAMES: ProfileName[] = [
  'authenticate-refresh',
  'login-refresh-token',
  'wallet-refresh',
];

/**
 * The names of earlier versions (after the seed documents each profile was built from), still
 * accepted where deployments configured them: the standalone server's PROFILES.
 */
export const LEGACY_PROFILE_NAMES: Record<string, ProfileName> = {
  'seed-002': 'authenticate-refresh',
  'seed-003': 'login-refresh-token',
  'seed-004': 'wallet-refresh',
};
