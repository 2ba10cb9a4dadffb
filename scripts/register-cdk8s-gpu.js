/**
 * A require hook that makes `require('cdk8s-gpu')` (and `cdk8s-gpu/lib/<file>`) load this repository's source tree,
 * so the examples import from 'cdk8s-gpu' exactly as a project with the package installed does.
 *
 *   node -r ts-node/register/transpile-only -r ./scripts/register-cdk8s-gpu.js examples/llm-serving/app.ts
 *
 * The same mapping for the type checker is `paths` in examples/tsconfig.json, and for jest `moduleNameMapper` (both
 * from .projenrc.ts). Plain JavaScript, no dependency: it must load before ts-node compiles anything.
 */
const Module = require('module');
const path = require('path');

const SRC = path.join(__dirname, '..', 'src');
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function (request, ...rest) {
  if (request === 'cdk8s-gpu') {
    request = SRC; // src/index.ts, through ts-node's .ts extension
  } else if (typeof request === 'string' && request.startsWith('cdk8s-gpu/lib/')) {
    request = path.join(SRC, request.slice('cdk8s-gpu/lib/'.length));
  }
  return resolveFilename.call(this, request, ...rest);
};
