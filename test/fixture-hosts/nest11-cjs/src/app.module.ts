import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, authMigrations } from '@keyring/nest-auth';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { ClientsModule } from './clients/clients.module';
import { HostSchema1700000000000 } from './database/host-schema.migration';
import { settings } from './settings';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: settings.databasePath,
      migrations: [HostSchema1700000000000, ...authMigrations('sqlite', { tablePrefix: 'auth_' })],
      migrationsRun: true,
      autoLoadEntities: true,
    }),
    AuthModule.forRoot({
      issuer: settings.issuer,
      keyEncryptionSecret: settings.keyEncryptionSecret,
      bootstrapAdmin: { apiKeyId: settings.adminKeyId, apiKeySecret: settings.adminKeySecret },
      globalGuard: false,
      tablePrefix: 'auth_',
    }),
    ClientsModule,
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
