import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  authMigrations,
  Authenticated,
  AuthModule,
  BearerAuthGuard,
  CurrentPrincipal,
  type Principal,
} from '@keyring/nest-auth';

export interface OptInHostSettings {
  database: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };
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

  @Get('reports')
  @Authenticated({ scopes: ['reports:read'] })
  reports(@CurrentPrincipal() caller: Principal) {
    return { scopes: caller.scopes };
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

/**
 * The host's own schema, older than the library: tables named as two of the library's, each
 * with a row. On PostgreSQL the primary keys carry the names TypeORM gives them, which the
 * library's unprefixed tables would take too.
 */
export class HostSchema1700000000000 implements MigrationInterface {
  name = 'HostSchema1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "clients" ("id" integer NOT NULL, "company" varchar(64) NOT NULL, CONSTRAINT "PK_f1ab7cf3a5714dbc6bb4e1c28a4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" varchar(36) NOT NULL, "cart" text NOT NULL, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`INSERT INTO "clients" ("id", "company") VALUES (1, 'Acme')`);
    await queryRunner.query(`INSERT INTO "sessions" ("id", "cart") VALUES ('s-1', 'widgets')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP TABLE "clients"`);
  }
}

export const HOST_TABLE_PREFIX = 'auth_';

/**
 * A host that opts out of the global guard (`globalGuard: false`) and guards route by route,
 * with tables of its own named `clients` and `sessions`: the library's tables are prefixed.
 */
export function createOptInHostModule(settings: OptInHostSettings) {
  const dialect = settings.database.type;
  const migrations = [
    HostSchema1700000000000,
    ...authMigrations(dialect, { tablePrefix: HOST_TABLE_PREFIX }),
  ];
  @Module({
    imports: [
      TypeOrmModule.forRoot(
        settings.database.type === 'sqlite'
          ? {
              type: 'better-sqlite3',
              database: settings.database.path,
              autoLoadEntities: true,
              migrations,
              migrationsRun: true,
            }
          : {
              type: 'postgres',
              url: settings.database.url,
              autoLoadEntities: true,
              migrations,
              migrationsRun: true,
            },
      ),
      AuthModule.forRoot({
        issuer: settings.issuer,
        bootstrapAdmin: settings.admin,
        keyEncryptionSecret: settings.keyEncryptionSecret,
        globalGuard: false,
        profiles: [],
        tablePrefix: HOST_TABLE_PREFIX,
        scopes: { 'reports:read': 'Read reports', 'reports:write': 'Write reports' },
      }),
      LedgerModule,
    ],
    controllers: [CatalogController],
  })
  class OptInHostModule {}
  return OptInHostModule;
}
