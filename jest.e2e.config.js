/* global module, process */
/**
 * Offline end-to-end suites (real Terraform, no providers): `jest -c jest.e2e.config.js`.
 * Not part of `npm test`; same transform and setup as jest.config.js.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.e2e.ts"],
  // The rehearsal's suites (stand-in providers under real Terraform, about 3.5 minutes) run
  // with `npm run test:rehearsal`, outside CI's time budget for now.
  testPathIgnorePatterns: process.env.HYBRID_REHEARSAL_SUITES
    ? ["/node_modules/"]
    : ["/node_modules/", "/rehearsal-[^/]*\\.e2e\\.ts$"],
  testTimeout: 300000,
  // The synthesized variants npm test keeps (reused when the tree is unchanged, as in CI).
  globalSetup: "<rootDir>/__tests__/global-setup.ts",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
