// The TypeScript blocks of the repository's markdown, written out as modules so a test can
// type-check and run them (see ../docs.test.ts).
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
export const repository = path.resolve(examples, "..")

/** One fenced block: where it is, the words after the language, its text. */
export interface Block {
  /** Path relative to the repository. */
  readonly file: string
  /** 1-based line of the block's first line of code. */
  readonly line: number
  /** The info string's words after the language (`no-check`, `run`). */
  readonly flags: ReadonlyArray<string>
  readonly code: string
  /** Where the block was written as a module (see {@link writeBlocks}). */
  readonly module: string
}

const fence = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)([^`]*)$/

/** The ```ts (or ```typescript) blocks of a markdown file, in order. */
export const tsBlocks = (file: string): ReadonlyArray<Omit<Block, "module">> => {
  const lines = fs.readFileSync(path.join(repository, file), "utf8").split("\n")
  const blocks: Array<Omit<Block, "module">> = []
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]!)
    if (open === null) continue
    const [, indent, marks, language, rest] = open as unknown as [string, string, string, string, string]
    // The block ends at a fence of the same kind at least as long (CommonMark).
    let end = i + 1
    while (end < lines.length && !new RegExp(`^\\s*${marks[0]}{${marks.length},}\\s*$`).test(lines[end]!)) end++
    if (language === "ts" || language === "typescript") {
      blocks.push({
        file,
        line: i + 2,
        flags: rest.trim().split(/\s+/).filter((w) => w.length > 0),
        // Blocks indented under a list item lose that indent.
        code: lines.slice(i + 1, end).map((l) => l.startsWith(indent) ? l.slice(indent.length) : l).join("\n")
      })
    }
    i = end
  }
  return blocks
}

/**
 * A fresh directory under the system's temporary one whose `node_modules` is the examples
 * package's, so the blocks import `@hero-effect/*`, `effect` and the platform as the examples do,
 * and vitest and tsx treat them as source (not as a dependency under node_modules).
 */
export const makeWorkspace = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hero-effect-docs-"))
  fs.symlinkSync(path.join(examples, "node_modules"), path.join(dir, "node_modules"), "dir")
  // ES modules, as in the examples package (else tsc and tsx read a .ts file as CommonJS).
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module", private: true }))
  return dir
}

const slug = (file: string) => file.replace(/[^A-Za-z0-9]+/g, "_")

/** Writes each block as `<file>_L<line>.ts` in `dir`. */
export const writeBlocks = (dir: string, blocks: ReadonlyArray<Omit<Block, "module">>): ReadonlyArray<Block> =>
  blocks.map((block) => {
    const module = path.join(dir, `${slug(block.file)}_L${block.line}.ts`)
    fs.writeFileSync(module, `${block.code}\n`)
    return { ...block, module }
  })

/**
 * The tsconfig of the check: the repository's settings (source condition, NodeNext), minus what
 * only a package build needs. Unused declarations are allowed: a snippet shows a value without
 * using it.
 */
export const writeTsconfig = (dir: string, blocks: ReadonlyArray<Block>): string => {
  const file = path.join(dir, "tsconfig.json")
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        extends: path.join(repository, "tsconfig.base.json"),
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          customConditions: ["@hero-effect/source"],
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          incremental: false,
          noUnusedLocals: false,
          // The directory is outside the repository: find @types/node where the repository has it.
          typeRoots: [path.join(repository, "node_modules", "@types")]
        },
        files: blocks.map((b) => path.basename(b.module))
      },
      null,
      2
    )
  )
  return file
}

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [command, ...args],
      {
        cwd,
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
        // A developer's own Hero key never reaches a snippet.
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HERO_"))),
          NO_COLOR: "1"
        }
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr })
    )
  })

/** One `tsc --noEmit` over the workspace's tsconfig. */
export const typeCheck = (tsconfig: string): Promise<Run> =>
  run(
    path.join(repository, "node_modules", "typescript", "bin", "tsc"),
    ["-p", tsconfig, "--pretty", "false"],
    examples
  )

/** Runs a block's module with tsx, as `pnpm exec tsx --conditions=@hero-effect/source` would. */
export const runModule = (module: string): Promise<Run> =>
  run(
    path.join(examples, "node_modules", "tsx", "dist", "cli.mjs"),
    ["--conditions=@hero-effect/source", module],
    examples
  )

/**
 * tsc's diagnostics with each block's module path and line turned into its markdown file and
 * line (`docs/testing.md:42:7 error TS2304: …`); other files' diagnostics stay as they are.
 */
export const locate = (output: string, blocks: ReadonlyArray<Block>): ReadonlyArray<string> => {
  const byName = new Map(blocks.map((b) => [path.basename(b.module), b]))
  const diagnostics: Array<string> = []
  for (const line of output.split("\n")) {
    const at = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(line)
    if (at === null) {
      // A continuation of the previous message (an elaboration), or tsc's own error.
      if (line.trim().length > 0) {
        if (diagnostics.length > 0 && /^\s/.test(line)) diagnostics[diagnostics.length - 1] += `\n${line}`
        else diagnostics.push(line)
      }
      continue
    }
    const [, name, row, column, message] = at as unknown as [string, string, string, string, string]
    const block = byName.get(path.basename(name))
    diagnostics.push(
      block === undefined
        ? line
        : `${block.file}:${block.line + Number(row) - 1}:${column} ${message}`
    )
  }
  return diagnostics
}
