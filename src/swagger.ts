import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { addAuthSecuritySchemes, documentAuthGuard } from '../libs/auth/src';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Auth server')
    .setDescription(
      'API users with API keys, JWT access tokens (ES256, RFC 9068) and single-use rotating refresh tokens. ' +
        'Every error has the body `{ "error": { "code", "message", "target", "details" } }`.',
    )
    .setVersion('0.1.0');
  const document = SwaggerModule.createDocument(app, addAuthSecuritySchemes(config).build());
  return documentAuthGuard(app, document);
}

/**
 * Serves Swagger UI at /docs and the document at /docs-json. Authorizations entered in the UI
 * live only in the page: persisted, a bearer token would sit in the browser's localStorage,
 * readable by any script on this origin and left behind after the tab is closed.
 */
export function mountSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: false },
  });
}
