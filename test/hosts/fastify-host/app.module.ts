import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AUTH_ENTITIES,
  AUTH_MIGRATIONS,
  Authenticated,
  AuthModule,
  CurrentPrincipal,
  Public,
  TokenService,
  type Principal,
} from '@keyring/nest-auth';

export interface FastifyHostSettings {
  databasePath: string;
  issuer: string;
  admin: { apiKeyId: string; apiKeySecret: string };
  keyEncryptionSecret: string;
}

/** A host controller: its own routes next to the library's, guarded by the library's guard. */
@Controller('inventory')
export class InventoryController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  @Authenticated()
  list(@CurrentPrincipal() caller: Principal) {
    return { items: ['widget'], session: caller.sessionId };
  }

  @Post('admin-only')
  @Authenticated({ roles: ['admin'] })
  adminOnly() {
    return { ok: true };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }

  /**
   * The host authenticates a caller its own way (here: trusts the body, as a stand-in for its
   * SSO) and has the library issue tokens for that caller's API key.
   */
  @Post('sso-login')
  @Public()
  ssoLogin(@Body() body: { apiKeyId: string }) {
    return this.tokens.issueForApiKey(body.apiKeyId);
  }
}

/**
 * The Fastify host lists the library's entities explicitly, configures it synchronously and
 * mounts its routes under /identity.
 */
export function createFastifyHostModule(settings: FastifyHostSettings) {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: settings.databasePath,
        entities: AUTH_ENTITIES,
        migrations: AUTH_MIGRATIONS.sqlite,
        migrationsRun: true,
      }),
      AuthModule.forRoot({
        issuer: settings.issuer,
        bootstrapAdmin: settings.admin,
        keyEncryptionSecret: settings.keyEncryptionSecret,
        profiles: [],
        routePrefix: 'identity',
      }),
    ],
    controllers: [InventoryController],
  })
  class FastifyHostModule {}
  return FastifyHostModule;
}
