// The ceiling of the benchmark: one bare Nest route on the same adapter (Fastify), no guard,
// no database. Started with an IPC channel; reports { ready, port }.
//
// With a second argument, `node bare-nest-target.cjs PORT MICROS`, it serves `POST /bare`
// instead, which keeps the core busy for MICROS µs per request and answers a body the size of
// a token response: a server whose service time is fixed and whose tail owes nothing to a
// database, batching or garbage (`npm run bench -- --calibrate`). It waits on the wall clock,
// so time taken from the core by other tenants counts as it does for a real server.
require('reflect-metadata');
const { Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

const busyMicros = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const busyNanos = BigInt(Math.round((busyMicros ?? 0) * 1000));
// About the size of a refresh answer: a compact ES256 JWT and a refresh token.
const tokenSizedAnswer = { access_token: 'a'.repeat(420), refresh_token: 'r'.repeat(51) };

class BareController {
  get() {
    return { ok: true };
  }

  busy() {
    const until = process.hrtime.bigint() + busyNanos;
    while (process.hrtime.bigint() < until);
    return tokenSizedAnswer;
  }
}
const decorate = (method, ...decorators) => {
  const descriptor = Object.getOwnPropertyDescriptor(BareController.prototype, method);
  for (const decorator of decorators) decorator(BareController.prototype, method, descriptor);
};
if (busyMicros === undefined) decorate('get', Get());
else decorate('busy', Post(), HttpCode(200));
Controller('bare')(BareController);

class BareModule {}
Module({ controllers: [BareController] })(BareModule);

(async () => {
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
  process.send({ ready: true, port: app.getHttpServer().address().port });
})();
