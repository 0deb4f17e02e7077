#!/usr/bin/env node
// The installed `hero-sandbox` command (`pnpm sandbox` in the repository): the compiled command line.
import { run } from "../dist/internal/cli/main.js"

run(process.argv.slice(2))
