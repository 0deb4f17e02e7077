import * as path from "node:path"
import type { ViteUserConfig } from "vitest/config"

// Packages export their TypeScript sources under the "@hero-effect/source" condition, so tests run
// without a build. Vite's SSR resolver needs the condition too, not just `resolve.conditions`.
const sourceCondition = "@hero-effect/source"

const config: ViteUserConfig = {
  esbuild: { target: "es2022" },
  resolve: { conditions: [sourceCondition] },
  ssr: { resolve: { conditions: [sourceCondition] } },
  test: {
    setupFiles: [path.join(__dirname, "vitest.setup.ts")],
    fakeTimers: { toFake: undefined },
    include: ["test/**/*.test.ts"],
    // Hang detectors, not speed limits: on a machine loaded to 4× its cores (and more) the heavier
    // tests run 5-10× slower than idle; a test that needs less states its own timeout.
    testTimeout: 900_000,
    hookTimeout: 900_000
  }
}

export default config
