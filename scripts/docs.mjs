#!/usr/bin/env node
// `pnpm run docs` (bare `pnpm docs` is npm's "open the package's home page"): the API reference
// of every library package, generated from its JSDoc by @effect/docgen (the tool Effect's own
// packages use) into docs/api/<package>/ (gitignored).
//
// Each package keeps its settings in packages/<package>/docgen.json (paths relative to the
// package). docgen itself insists on two things this repo does not give it, so it runs in a
// throwaway staging directory per package instead of the package directory:
//   - a `homepage` in the package.json of its working directory (ours have none, and the
//     packages' manifests are not the place for a docs tool's needs): the staging directory
//     gets a two-field package.json, the homepage taken from docgen.json's `projectHomepage`;
//   - module resolution from where the sources appear to be: ts-morph resolves imports from the
//     path it was given, not the real path, so the staging directory links both `src` and the
//     package's `node_modules` (without the latter every imported type prints as `any`).
// docgen's own example check is turned off (DOCGEN_RUN_EXAMPLES=false): it also *runs* every
// example, and ours start servers and connect to Redis. scripts/check-examples.mjs type-checks
// them instead (`pnpm docs:examples`, and the vitest test scripts/test/docs.test.ts).
//
// Usage: pnpm run docs [--out <dir>] [package ...]    (default: all four, into docs/api/)
//   --out <dir>  write <dir>/<package>/ instead of each docgen.json's outDir (the test uses a
//                temp directory, so it never touches a reference someone is reading)
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const allPackages = ["schema", "client", "sandbox", "workflows"]
const docgenBin = path.join(root, "node_modules", ".bin", "docgen")

const run = (cwd) =>
  new Promise((resolve) => {
    const child = spawn(docgenBin, [], {
      cwd,
      env: { ...process.env, DOCGEN_RUN_EXAMPLES: "false" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => output += chunk)
    child.stderr.on("data", (chunk) => output += chunk)
    child.on("close", (code) => resolve({ code, output }))
  })

const generate = async (name, outRoot) => {
  const packageDir = path.join(root, "packages", name)
  const config = JSON.parse(fs.readFileSync(path.join(packageDir, "docgen.json"), "utf8"))
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"))
  const outDir = outRoot === undefined ? path.resolve(packageDir, config.outDir ?? "docs") : path.join(outRoot, name)
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `hero-docgen-${name}-`))
  try {
    fs.symlinkSync(path.resolve(packageDir, config.srcDir ?? "src"), path.join(staging, "src"), "dir")
    fs.symlinkSync(path.join(packageDir, "node_modules"), path.join(staging, "node_modules"), "dir")
    fs.writeFileSync(
      path.join(staging, "package.json"),
      JSON.stringify({ name: manifest.name, homepage: config.projectHomepage ?? "" })
    )
    const { $schema: _schema, ...rest } = config
    fs.writeFileSync(
      path.join(staging, "docgen.json"),
      JSON.stringify({
        ...rest,
        srcDir: "src",
        outDir,
        ...(typeof config.parseCompilerOptions === "string"
          ? { parseCompilerOptions: path.resolve(packageDir, config.parseCompilerOptions) }
          : {})
      })
    )
    // docgen only deletes the *.ts.md it finds; start clean so a removed module leaves no page.
    fs.rmSync(outDir, { recursive: true, force: true })
    const { code, output } = await run(staging)
    return { name, code, output, outDir }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

const args = process.argv.slice(2)
const outFlag = args.indexOf("--out")
const outRoot = outFlag === -1 ? undefined : path.resolve(args[outFlag + 1] ?? ".")
const requested = outFlag === -1 ? args : args.filter((_, i) => i !== outFlag && i !== outFlag + 1)
const unknown = requested.filter((name) => !allPackages.includes(name))
if (unknown.length > 0) {
  console.error(`unknown package(s): ${unknown.join(", ")} (expected ${allPackages.join(", ")})`)
  process.exit(2)
}
const packages = requested.length > 0 ? requested : allPackages

// Two at a time: docgen is one TypeScript program per package, and CI machines have two cores.
const results = []
const queue = [...packages]
await Promise.all([0, 1].map(async () => {
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    results.push(await generate(next, outRoot))
  }
}))

// docgen's own home page and navigation are Jekyll scaffolding it writes relative to its working
// directory (the staging one); one plain index beside the packages links every module page.
const writeIndex = (done) => {
  const dir = path.dirname(done[0].outDir)
  const lines = ["# API reference", "", "Generated by `pnpm run docs` from the JSDoc of the sources; do not edit.", ""]
  for (const { name, outDir } of done) {
    const modules = path.join(outDir, "modules")
    const pages = fs.existsSync(modules) ? fs.readdirSync(modules).filter((f) => f.endsWith(".md")).sort() : []
    lines.push(`## @hero-effect/${name}`, "")
    for (const page of pages) {
      lines.push(`- [${page.replace(/\.ts\.md$/, "")}](${toPosix(path.relative(dir, path.join(modules, page)))})`)
    }
    lines.push("")
  }
  fs.writeFileSync(path.join(dir, "README.md"), lines.join("\n"))
}
const toPosix = (p) => p.split(path.sep).join("/")

let failed = false
const done = []
for (const name of packages) {
  const result = results.find((r) => r.name === name)
  if (result.code === 0) {
    done.push(result)
    console.log(`${name}: ${path.relative(root, result.outDir) || "."}/`)
  } else {
    failed = true
    console.error(`${name}: docgen failed (exit ${result.code})\n${result.output}`)
  }
}
// Only a full build writes the index: a single package's rebuild keeps the others' entries.
if (!failed && packages.length === allPackages.length) writeIndex(done)
process.exit(failed ? 1 : 0)
