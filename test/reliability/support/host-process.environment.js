// Jest's node environment, plus the host `process` as `__hostProcess`: inside the test sandbox
// `process` is a copy whose listeners never hear the host's `unhandledRejection`, so the
// reliability suites count rejections on the host process itself (Jest still fails a test
// on one as well).
const { TestEnvironment } = require('jest-environment-node');

class HostProcessEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__hostProcess = process;
  }
}

module.exports = HostProcessEnvironment;
