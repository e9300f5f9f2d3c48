module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': 'ts-jest',
  },
  // Synthesizing the stack takes a few seconds; the default 5 s is tight on 2 cores.
  testTimeout: 120000,
};
