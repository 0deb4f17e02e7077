import * as os from "node:os"
import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

export default defineConfig({
  test: {
    projects,
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so the
    // suite ran file after file. Every test is load-robust (no wall-clock assertions, ephemeral
    // ports, own temp directories), so use every core; on a loaded machine two workers also get
    // twice the scheduler's share.
    maxWorkers: Math.max(2, os.availableParallelism()),
    minWorkers: 1
  }
})
