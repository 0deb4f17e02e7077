// The options moved to the package's sources (`src/internal/cli/options.ts`, compiled into the
// published `hero-sandbox` command); re-exported here for the tests that import them from `bin/`.
export * from "../src/internal/cli/options.js"
