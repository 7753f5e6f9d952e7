import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AUTH_MIGRATIONS,
  Authenticated,
  AuthModule,
  BearerAuthGuard,
  CurrentPrincipal,
  type Principal,
} from '@keyring/nest-auth';

export interface OptInHostSettings {
  databasePath: string;
  issuer: string;
  admin: { apiKeyId: string; apiKeySecret: string };
  keyEncryptionSecret: string;
}

/** Routes of the host's root module: only the decorated ones are guarded. */
@Controller('catalog')
export class CatalogController {
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('mine')
  @Authenticated()
  mine(@CurrentPrincipal() caller: Principal) {
    return { caller: caller.apiUserId };
  }

  @Get('admin')
  @Authenticated({ roles: ['admin'] })
  admin() {
    return { admin: true };
  }
}

/** A feature module of the host that guards by hand, without importing AuthModule. */
@Controller('ledger')
@UseGuards(BearerAuthGuard)
export class LedgerController {
  @Get()
  entries(@CurrentPrincipal() caller: Principal) {
    return { role: caller.role };
  }
}

@Module({ controllers: [LedgerController] })
export class LedgerModule {}

/** A host that opts out of the global guard (`globalGuard: false`) and guards route by route. */
export function createOptInHostModule(settings: OptInHostSettings) {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: settings.databasePath,
        autoLoadEntities: true,
        migrations: AUTH_MIGRATIONS.sqlite,
        migrationsRun: true,
      }),
      AuthModule.forRoot({
        issuer: settings.issuer,
        bootstrapAdmin: settings.admin,
        keyEncryptionSecret: settings.keyEncryptionSecret,
        globalGuard: false,
        profiles: [],
      }),
      LedgerModule,
    ],
    controllers: [CatalogController],
  })
  class OptInHostModule {}
  return OptInHostModule;
}
