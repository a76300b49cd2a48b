// Preload (node -r): makes the packages named in TENANCY_TEST_HIDE (comma-separated) unresolvable,
// as if they were not installed, so a test can boot the library without its optional peers.
const Module = require('node:module');
const hidden = (process.env.TENANCY_TEST_HIDE || '').split(',').filter(Boolean);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.some((name) => request === name || request.startsWith(`${name}/`))) {
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
