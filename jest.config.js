/**
 * `npm test`: unit, component, program, policy and tool tests, kept under a minute on two cores.
 * End-to-end suites (`*.slow.test.ts`) run with `npm run test:slow`, the real-ZFS ones with
 * `npm run test:integration`; `npm run check` runs everything but the latter.
 */
const base = require("./jest.base.config");

module.exports = {
    ...base,
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "/test/integration/", "\\.slow\\.test\\.ts$"],
    testTimeout: 30000,
};
