// Runs the @nestjs/swagger compiler plugin under ts-jest, as `nest build` does, so DTO
// properties and JSDoc reach the OpenAPI document in tests too.
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (compiler, options) => before(options, compiler.program),
};
