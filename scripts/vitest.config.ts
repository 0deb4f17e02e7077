import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// The repo's own tooling (scripts/*.mjs) as a test project, so `pnpm vitest` (and CI) runs it.
export default mergeConfig(shared, defineProject({}))
