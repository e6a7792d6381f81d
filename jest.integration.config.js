/** Integration tests: real ZFS (zfs-fuse) behind real SSH on 127.0.0.1. Run as root. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test/integration"],
    testMatch: ["**/*.test.ts"],
    transform: require("./jest.base.config").transform,
    testTimeout: 120000,
    maxWorkers: 1,
    // zfs-fuse, a file-backed pool and sshd on 127.0.0.1: started before the suites, stopped after.
    globalSetup: "<rootDir>/test/integration/globalSetup.ts",
    globalTeardown: "<rootDir>/test/integration/globalTeardown.ts",
};
