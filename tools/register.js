// Runs TypeScript sources directly (npm start / cli / bench): swc compiles on load and
// maps `nestjs-tenancy` to the library sources, as tsconfig paths do for tsc and Jest.
const path = require('node:path');
const Module = require('node:module');
const lib = path.join(__dirname, '..', 'libs', 'tenancy', 'src');
const origResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'nestjs-tenancy') request = lib;
  else if (request.startsWith('nestjs-tenancy/')) request = path.join(lib, request.slice(15));
  return origResolve.call(this, request, ...rest);
};
const swc = require('@swc/core');
const fs = require('node:fs');
const opts = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
require.extensions['.ts'] = function (module, filename) {
  const src = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(src, { ...opts, filename });
  module._compile(code, filename);
};
