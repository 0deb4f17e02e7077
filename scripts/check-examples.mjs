#!/usr/bin/env node
// Type-checks every `@example` in the JSDoc of packages/*/src/**/*.ts against the packages'
// public entry points, and reports each failure at the line of the source file it comes from.
// `pnpm docs:examples` runs it; scripts/test/docs.test.ts runs it under vitest, so CI does too.
//
// ## Writing an example (the convention this script checks)
//
// - The body of an `@example` (up to the next `@tag`) is code: one fenced block, a line "```ts"
//   (or "```typescript"), the code, a line "```" (the repo's style), or the bare code (docgen
//   fences it itself). Nothing else: docgen prints prose around a fence, or a second fence, as
//   part of the code, so those are reported. Explain the example in the comment above the tag, or
//   in `//` comments inside the code; several snippets are several `@example` tags.
// - Each example is a complete ES module, checked on its own: it imports everything it uses,
//   exactly as a user of the published packages would: `@hero-effect/<package>` or
//   `@hero-effect/<package>/<Module>`, `effect`, `@effect/...`, `node:...`. Relative imports and
//   `.../internal/...` are not part of the API and fail (the packages' exports map internal to null).
// - Values the reader brings go in as `declare const token: string` (or `declare function`), not as
//   made-up implementations. Unused names are fine; top-level `export` and `await` are fine.
// - Examples are type-checked, never run: they may start servers or need Redis. Show results in
//   comments (`// { _tag: "Taken" }`); show an intended compile error with `// @ts-expect-error`.
// - Compiler settings are the repo's tsconfig.base.json (strict, exactOptionalPropertyTypes,
//   noUncheckedIndexedAccess, NodeNext, the "@hero-effect/source" condition so imports resolve to
//   src/) with `noUnusedLocals` off.
//
// ## How it works
//
// Each example is written verbatim (so line N of the file is line N of the fence) to a temp
// directory, which gets a tsconfig extending tsconfig.base.json and a node_modules of symlinks:
// the four @hero-effect packages plus every dependency the repo and the packages install. One
// `tsc --noEmit` run checks them all (the packages' sources come in through their imports).
//
// Usage: pnpm docs:examples [--json] [--keep]   (= node scripts/check-examples.mjs)
//   --json  print { examples, failures, knownBroken, stale } as JSON on stdout (the test reads it)
//   --keep  keep the temp directory and print its path (to rerun tsc by hand)
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packageNames = ["schema", "client", "sandbox", "workflows"]

// Files whose examples are known to be broken while someone else fixes them, as repo-relative
// paths ("packages/client/src/RateLimitStore.ts"): their failures are printed but do not fail the
// check. This is the one place to edit. An entry whose examples all pass is reported as stale and
// fails the check, so the list only ever shrinks back to empty.
export const knownBroken = []

const toPosix = (p) => p.split(path.sep).join("/")

const listSources = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return listSources(full)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : []
  })

/**
 * Every `@example` of one source file, split as docgen splits it: the body runs from the tag to
 * the next `@tag` line or the end of the comment. `{ file, tagLine, codeLine, code }` (`codeLine`
 * = 1-based source line of the first code line) or `{ file, tagLine, problem }`.
 */
const extractExamples = (file, text) => {
  const lines = text.split("\n")
  const examples = []
  let inDoc = false
  let current = undefined // { tagLine, body: Array<{ line, text }> }
  const finish = () => {
    if (current === undefined) return
    const body = current.body
    while (body.length > 0 && body[0].text.trim() === "") body.shift()
    while (body.length > 0 && body[body.length - 1].text.trim() === "") body.pop()
    const fenceLines = body.filter((l) => /^\s*(```|~~~)/.test(l.text))
    const tagLine = current.tagLine
    current = undefined
    if (body.length === 0) {
      examples.push({ file, tagLine, problem: "empty @example" })
    } else if (fenceLines.length === 0) {
      examples.push({ file, tagLine, codeLine: body[0].line, code: body.map((l) => l.text).join("\n") })
    } else if (
      fenceLines.length === 2 && fenceLines[0] === body[0] && fenceLines[1] === body[body.length - 1] &&
      /^```(ts|typescript)\s*$/.test(body[0].text.trim()) && body[body.length - 1].text.trim() === "```"
    ) {
      const code = body.slice(1, -1)
      examples.push({
        file,
        tagLine,
        codeLine: code[0]?.line ?? body[0].line,
        code: code.map((l) => l.text).join("\n")
      })
    } else {
      examples.push({
        file,
        tagLine,
        problem: "the body must be code, or one ```ts fence and nothing else (docgen prints anything else " +
          "around or between fences as part of the code)"
      })
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]
    if (!inDoc) {
      if (/^\s*\/\*\*/.test(raw) && !/\*\/\s*$/.test(raw.replace(/^\s*\/\*\*/, ""))) inDoc = true
      continue
    }
    const end = /\*\/\s*$/.test(raw)
    const text = raw.replace(/\*\/\s*$/, "").replace(/^\s*\* ?/, "")
    if (/^@example\b/.test(text)) {
      finish()
      current = { tagLine: i + 1, body: [] }
      const rest = text.replace(/^@example\s*/, "")
      if (rest !== "") current.body.push({ line: i + 1, text: rest })
    } else if (/^@\w+/.test(text)) {
      finish()
    } else if (current !== undefined && !(end && text.trim() === "")) {
      current.body.push({ line: i + 1, text })
    }
    if (end) {
      finish()
      inDoc = false
    }
  }
  finish()
  return examples
}

// A node_modules the examples resolve from, as a user's project would: the workspace packages by
// name (their package.json exports, so internal/* stays closed) and every installed dependency.
const linkNodeModules = (dir) => {
  const nodeModules = path.join(dir, "node_modules")
  fs.mkdirSync(path.join(nodeModules, "@hero-effect"), { recursive: true })
  for (const name of packageNames) {
    fs.symlinkSync(path.join(root, "packages", name), path.join(nodeModules, "@hero-effect", name), "dir")
  }
  const sources = [
    path.join(root, "node_modules"),
    ...packageNames.map((n) => path.join(root, "packages", n, "node_modules"))
  ]
  const link = (from, to) => {
    if (!fs.existsSync(to)) fs.symlinkSync(from, to, "dir")
  }
  for (const source of sources) {
    if (!fs.existsSync(source)) continue
    for (const entry of fs.readdirSync(source)) {
      if (entry.startsWith(".") || entry === "@hero-effect") continue
      const from = path.join(source, entry)
      if (entry.startsWith("@")) {
        fs.mkdirSync(path.join(nodeModules, entry), { recursive: true })
        for (const scoped of fs.readdirSync(from)) link(path.join(from, scoped), path.join(nodeModules, entry, scoped))
      } else {
        link(from, path.join(nodeModules, entry))
      }
    }
  }
}

const runTsc = (cwd) =>
  new Promise((resolve, reject) => {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
    const child = spawn(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", "tsconfig.json"], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => output += chunk)
    child.stderr.on("data", (chunk) => output += chunk)
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, output }))
  })

export const checkExamples = async ({ keep = false } = {}) => {
  const examples = packageNames.flatMap((name) =>
    listSources(path.join(root, "packages", name, "src")).flatMap((file) => {
      const text = fs.readFileSync(file, "utf8")
      return text.includes("@example") ? extractExamples(toPosix(path.relative(root, file)), text) : []
    })
  )
  const failures = examples
    .filter((e) => e.problem !== undefined)
    .map((e) => ({ file: e.file, tagLine: e.tagLine, line: e.tagLine, message: e.problem }))
  const fenced = examples.filter((e) => e.problem === undefined)

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-examples-"))
  try {
    linkNodeModules(dir)
    // ES modules, as the packages are (without it NodeNext treats every example as CommonJS).
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }))
    const byName = new Map()
    fenced.forEach((example, i) => {
      const name = `${String(i).padStart(3, "0")}-${example.file.replace(/[/.]/g, "_")}-${example.tagLine}.ts`
      byName.set(name, example)
      fs.writeFileSync(path.join(dir, name), example.code + "\n")
    })
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify(
        {
          extends: path.join(root, "tsconfig.base.json"),
          compilerOptions: {
            noEmit: true,
            composite: false,
            incremental: false,
            declaration: false,
            declarationMap: false,
            sourceMap: false,
            // Snippets name things to show them; an unused name is not a broken example.
            noUnusedLocals: false,
            typeRoots: [path.join(dir, "node_modules", "@types")]
          },
          files: [...byName.keys()]
        },
        null,
        2
      )
    )
    const { code, output } = fenced.length === 0 ? { code: 0, output: "" } : await runTsc(dir)
    // `file(line,col): error TSnnnn: message`, continuation lines indented.
    const diagnostic = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/
    let last = undefined
    for (const line of output.split("\n")) {
      const match = diagnostic.exec(line)
      if (match !== null) {
        const [, file, row, col, tsCode, message] = match
        // tsc prints paths relative to its working directory: an example is a bare file name.
        const example = file.includes("/") ? undefined : byName.get(file)
        if (example !== undefined) {
          last = {
            file: example.file,
            tagLine: example.tagLine,
            line: example.codeLine + Number(row) - 1,
            column: Number(col),
            message: `${tsCode}: ${message}`
          }
        } else {
          // An error inside a package's own source: `pnpm check` owns those, but the examples
          // cannot be trusted while it stands, so it fails here too.
          const abs = path.resolve(dir, file)
          const rel = abs.startsWith(root) ? toPosix(path.relative(root, abs)) : file
          last = {
            file: rel,
            tagLine: undefined,
            line: Number(row),
            column: Number(col),
            message: `${tsCode}: ${message} (in the source, not an example)`
          }
        }
        failures.push(last)
      } else if (last !== undefined && /^\s+\S/.test(line)) {
        last.message += `\n${line}`
      } else if (line.trim() !== "") {
        // A diagnostic without a location (a bad tsconfig, a missing file): the check itself broke.
        last = { file: "tsc", tagLine: undefined, line: 0, message: line }
        failures.push(last)
      }
    }
    if (code !== 0 && failures.length === 0) {
      failures.push({ file: "tsc", tagLine: undefined, line: 0, message: `tsc exited ${code}\n${output}` })
    }
  } finally {
    if (keep) console.error(`kept ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }

  const known = new Set(knownBroken)
  const failing = failures.filter((f) => !known.has(f.file))
  const tolerated = failures.filter((f) => known.has(f.file))
  const stale = knownBroken.filter((file) => !tolerated.some((f) => f.file === file))
  return {
    examples: examples.length,
    files: new Set(examples.map((e) => e.file)).size,
    failures: failing,
    knownBroken: tolerated,
    stale
  }
}

const format = (f) =>
  `${f.file}:${f.line}${f.column !== undefined ? `:${f.column}` : ""}${
    f.tagLine !== undefined && f.tagLine !== f.line ? ` (@example at line ${f.tagLine})` : ""
  }\n  ${f.message.replace(/\n/g, "\n  ")}`

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const result = await checkExamples({ keep: process.argv.includes("--keep") })
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(result, null, 2))
  } else {
    for (const f of result.failures) console.log(`broken: ${format(f)}`)
    for (const f of result.knownBroken) console.log(`known broken (knownBroken in this script): ${format(f)}`)
    for (const file of result.stale) console.log(`stale: ${file} is in knownBroken but its examples pass; remove it`)
    console.log(
      `${result.examples} example(s) in ${result.files} file(s): ${result.failures.length} broken, ` +
        `${result.knownBroken.length} known broken, ${result.stale.length} stale (${
          ((Date.now() - started) / 1000).toFixed(1)
        } s)`
    )
  }
  process.exit(result.failures.length > 0 || result.stale.length > 0 ? 1 : 0)
}
