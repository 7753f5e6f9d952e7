import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_MIGRATIONS, AuthModule, type AuthModuleOptions } from '@keyring/nest-auth';
import { authConfig, databaseConfig } from './config';
import { ReportsController } from './reports.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [authConfig, databaseConfig] }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'better-sqlite3',
        database: config.getOrThrow<string>('database.path'),
        autoLoadEntities: true,
        migrations: AUTH_MIGRATIONS.sqlite,
        migrationsRun: true,
      }),
    }),
    AuthModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow<AuthModuleOptions>('auth'),
      profiles: ['login-refresh-token'],
    }),
  ],
  controllers: [ReportsController],
})
export class AppModule {}
