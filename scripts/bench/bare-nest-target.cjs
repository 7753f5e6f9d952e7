// The ceiling of the benchmark: one bare Nest route on the same adapter (Fastify), no guard,
// no database. Started with an IPC channel; reports { ready, port }.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class BareController {
  get() {
    return { ok: true };
  }
}
Get()(
  BareController.prototype,
  'get',
  Object.getOwnPropertyDescriptor(BareController.prototype, 'get'),
);
Controller('bare')(BareController);

class BareModule {}
Module({ controllers: [BareController] })(BareModule);

(async () => {
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
  process.send({ ready: true, port: app.getHttpServer().address().port });
})();
