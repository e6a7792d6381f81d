/** What every jest configuration of the project shares: transpile-only (types are checked by `npm run typecheck`). */
module.exports = {
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    // Jest's default is one worker fewer than the cores: on a 2-core machine, one.
    maxWorkers: "100%",
};
