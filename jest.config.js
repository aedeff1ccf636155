/** Unit specs live next to the code (src/**\/*.spec.ts, and the bench harness's own bench/**\/*.spec.ts); end-to-end specs in test/ talk to the real PostgreSQL and Redis. */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  testTimeout: 60000,
  maxWorkers: 2,
};
