/**
 * `pnpm sandbox` in this repository: the command line of `src/internal/cli/main.ts` run from source
 * through tsx (the published package runs the compiled one as `hero-sandbox`, `bin/hero-sandbox.js`).
 */
import { run } from "../src/internal/cli/main.js"

run(process.argv.slice(2))
