import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { addAuthSecuritySchemes, documentAuthGuard } from '@keyring/nest-auth';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { TokenPair } from '../support/factories';

/** The settings every fixture host is given. */
export const ISSUER = 'https://host.example';
export const HOST_KEY_ENCRYPTION_SECRET = 'host-key-encryption-secret-0123456789-abcdef';
export const ADMIN = {
  apiKeyId: 'host-admin-key-00000001',
  apiKeySecret: 'Host-admin-secret-for-tests-0123456789abcdef',
};

/** A host module started on Express, as a host's main.ts would, with an HTTP client for it. */
export async function startExpressHost(
  module: Type,
): Promise<{ app: INestApplication; http: TestAgent }> {
  const app = await NestFactory.create(module, new ExpressAdapter(), {
    logger: false,
    abortOnError: false,
  });
  await app.init();
  return { app, http: request(app.getHttpServer()) };
}

/** Tokens for a key, through the library's token endpoint (under the host's route prefix). */
export async function tokensFor(
  http: TestAgent,
  key: { apiKeyId: string; apiKeySecret: string },
  prefix = '',
): Promise<TokenPair> {
  const answer = await http
    .post(`${prefix}/auth/token`)
    .send({ api_key_id: key.apiKeyId, api_key_secret: key.apiKeySecret })
    .expect(200);
  return answer.body as TokenPair;
}

/** The host's OpenAPI document as the library README has a host build it. */
export function hostDocument(app: INestApplication): OpenAPIObject {
  const config = addAuthSecuritySchemes(new DocumentBuilder().setTitle('Host')).build();
  return documentAuthGuard(app, SwaggerModule.createDocument(app, config));
}
