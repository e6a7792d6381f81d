/**
 * `npm run test:slow`: the end-to-end suites, each of which takes seconds: the hostile
 * inventories, the change report through git, the plan of a 1,000-guest stack through a pipe,
 * the pattern checker's own exponential cases, reading a recorded 100-guest cluster against the clock,
 * every replacement rule through the real program, the benchmark, inventory:from-cluster through
 * npm waiting for its retries, every script the program runs over SSH through shellcheck.
 */
const base = require("./jest.base.config");

module.exports = {
    ...base,
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.slow.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "/test/integration/"],
    testTimeout: 120000,
};
