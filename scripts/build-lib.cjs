// Builds libs/auth into libs/auth/dist as a publishable package, with the @nestjs/swagger
// compiler plugin (the same options as nest-cli.json), so a host's OpenAPI document gets the
// library's DTO properties and descriptions. Usage: npm run build:lib
const { rmSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');
const { before } = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const root = join(__dirname, '..');
const configPath = join(root, 'libs/auth/tsconfig.lib.json');
const swaggerOptions = nestCli.compilerOptions.plugins.find(
  (plugin) => plugin.name === '@nestjs/swagger',
).options;

const started = Date.now();
const parsed = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) },
);
rmSync(parsed.options.outDir, { recursive: true, force: true });
const program = ts.createProgram(parsed.fileNames, parsed.options);
const emitted = program.emit(undefined, undefined, undefined, false, {
  before: [before(swaggerOptions, program)],
});
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0 || emitted.emitSkipped) fail(diagnostics);
console.log(
  `built @keyring/nest-auth into libs/auth/dist in ${Date.now() - started} ms (${parsed.fileNames.length} files)`,
);

function fail(list) {
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };
  console.error(ts.formatDiagnosticsWithColorAndContext(list, host));
  process.exit(1);
}
