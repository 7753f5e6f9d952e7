import { Controller, type ExecutionContext, Get } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Authenticated } from '../common/decorators';
import { type HttpAdapterHost, Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error';
import type { SessionLivenessCache } from '../sessions/session-liveness.cache';
import { BearerAuthGuard } from './bearer-auth.guard';
import type { VerifiedTokenCache } from './verified-token.cache';

/** An execution context of the given type whose arguments are `args`, as Nest builds them. */
function contextOf(type: string, args: unknown[]): ExecutionContext {
  const handler = () => undefined;
  return {
    getType: () => type,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getHandler: () => handler,
    getClass: () => class Resolver {},
    switchToHttp: () => ({
      getRequest: () => args[0],
      getResponse: () => args[1],
      getNext: () => args[2],
    }),
  } as unknown as ExecutionContext;
}

describe('BearerAuthGuard outside HTTP routes', () => {
  const headersSet: Array<[unknown, string, string]> = [];
  const adapterHost = {
    httpAdapter: {
      setHeader: (response: unknown, name: string, value: string) =>
        headersSet.push([response, name, value]),
    },
  } as unknown as HttpAdapterHost;
  // The checks below end before the guard consults its caches.
  const guard = new BearerAuthGuard(
    new Reflector(),
    {} as SessionLivenessCache,
    {} as VerifiedTokenCache,
    adapterHost,
  );

  beforeEach(() => (headersSet.length = 0));

  it.each(['ws', 'rpc'])('lets a %s call through untouched', async (type) => {
    // What Nest passes a gateway or a message handler: a socket or a payload, no headers.
    await expect(guard.canActivate(contextOf(type, [{ id: 'socket' }, { data: 1 }]))).resolves.toBe(
      true,
    );
    expect(headersSet).toEqual([]);
  });

  it('guards a GraphQL resolver through the request in its context', async () => {
    const res = { kind: 'response' };
    const graphqlContext = { req: { headers: {} }, res };
    const call = guard.canActivate(contextOf('graphql', [{}, {}, graphqlContext, {}]));
    await expect(call).rejects.toBeInstanceOf(DomainError);
    await expect(call).rejects.toMatchObject({ code: 'unauthorized' });
    expect(headersSet).toEqual([[res, 'WWW-Authenticate', 'Bearer']]);
  });

  it('lets a GraphQL call without a request in its context through', async () => {
    await expect(guard.canActivate(contextOf('graphql', [{}, {}, {}, {}]))).resolves.toBe(true);
  });
});

describe('BearerAuthGuard in an app without AuthModule', () => {
  @Controller('probe')
  class ProbeController {
    @Get()
    @Authenticated()
    guarded() {
      return { reached: true };
    }
  }

  it('lets a controller compile in a testing module, and lets no request through', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    expect(moduleRef.get(ProbeController).guarded()).toEqual({ reached: true });
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/probe').set('Authorization', 'Bearer x').expect(500);
    } finally {
      await app.close();
    }
  });
});
