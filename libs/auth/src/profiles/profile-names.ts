/**
 * The seed profiles a host can mount. Names only, with no imports: the module definition and
 * configuration code need them without loading the profile modules.
 */
export type ProfileName = 'seed-002' | 'seed-003' | 'seed-004';
export const PROFILE_NAMES: ProfileName[] = ['seed-002', 'seed-003', 'seed-004'];
