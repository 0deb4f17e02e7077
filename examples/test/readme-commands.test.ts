// The READMEs' commands work as written from the repository root (issue 14): every `pnpm …`
// command in the root, examples and package READMEs names a script that exists, and every flag it
// passes is one that script's --help lists; the main job's own commands run from the root as a
// user would type them (through pnpm, so INIT_CWD and a leading `--` are what pnpm makes them).
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const readmes = [
  "README.md",
  "examples/README.md",
  ...fs.readdirSync(path.join(root, "packages")).map((p) => `packages/${p}/README.md`)
].filter((file) => fs.existsSync(path.join(root, file)))

interface Command {
  readonly file: string
  readonly line: number
  readonly text: string
}

// `pnpm …` in ```sh blocks (a line, with its `\` continuations) and in inline code spans.
const commands: ReadonlyArray<Command> = readmes.flatMap((file) => {
  const lines = fs.readFileSync(path.join(root, file), "utf8").split("\n")
  const found: Array<Command> = []
  let inShell = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^\s*```/.test(line)) {
      inShell = !inShell && /^\s*```(sh|bash|shell)\s*$/.test(line)
      continue
    }
    if (inShell) {
      let text = line
      while (text.endsWith("\\") && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`
      for (const part of text.split(/&&|;/)) {
        if (/^\s*([A-Z_]+=\S*\s+)*pnpm /.test(part)) found.push({ file, line: i + 1, text: part.trim() })
      }
      continue
    }
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      for (const part of span[1]!.split(/&&|;/)) {
        if (/^\s*([A-Z_]+=\S*\s+)*pnpm [a-z-]/.test(part)) found.push({ file, line: i + 1, text: part.trim() })
      }
    }
  }
  return found
})

// The words of a command: env assignments, a trailing # comment and [ ] | … placeholders dropped.
// pnpm's own -s / --silent before the script is not part of it.
const words = (text: string) =>
  text.replace(/\s+#.*$/, "").replace(/^([A-Z_]+=\S*\s+)+/, "").replace(/^pnpm (-s|--silent) /, "pnpm ").split(/\s+/)
    .filter((w) => w.length > 0)

const rootScripts = Object.keys(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts)
const examplesScripts = Object.keys(
  JSON.parse(fs.readFileSync(path.join(root, "examples/package.json"), "utf8")).scripts
)
const sandboxScripts = Object.keys(
  JSON.parse(fs.readFileSync(path.join(root, "packages/sandbox/package.json"), "utf8")).scripts
)

// Which program a command runs, when it is one of ours with a --help to check its flags against.
const programOf = (w: ReadonlyArray<string>): string | undefined => {
  if (w[1] === "start") return "examples/main.ts"
  if (w[1] === "review") return "examples/review.ts"
  if (w[1] === "safety") return "examples/safety.ts"
  if (w[1] === "sandbox") return "sandbox"
  if (w[1] === "--filter" && w[3] === "run") {
    if (w[2] === "@hero-effect/sandbox" && w[4] === "sandbox") return "sandbox"
    if (w[2] === "@hero-effect/examples" && w[4] === "main") return "examples/main.ts"
  }
  return undefined
}

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(cmd, args, {
      cwd,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
      env: Object.fromEntries(
        Object.entries(process.env).filter(([k]) =>
          !k.startsWith("HERO_") && k !== "INIT_CWD"
        )
      )
    }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }))
  )

const tsx = path.join(root, "examples/node_modules/tsx/dist/cli.mjs")
const helpOf = async (program: string): Promise<string> => {
  const [cwd, file] = program === "sandbox"
    ? [
      path.join(root, "packages/sandbox"),
      JSON.parse(
        fs.readFileSync(path.join(root, "packages/sandbox/package.json"), "utf8")
      ).scripts.sandbox.split(" ").at(-1)
    ]
    : [path.join(root, "examples"), path.basename(program)]
  const { code, stderr, stdout } = await run(process.execPath, [
    tsx,
    "--conditions=@hero-effect/source",
    file,
    "--help"
  ], cwd)
  expect(code, `${program} --help: ${stderr}`).toBe(0)
  return `${stdout}${stderr}`
}

describe("the READMEs' commands", () => {
  it("are found (the extraction reads every README)", () => {
    expect(commands.length).toBeGreaterThan(30)
    for (const file of ["README.md", "examples/README.md", "packages/sandbox/README.md"]) {
      expect(commands.some((c) => c.file === file), file).toBe(true)
    }
  })

  it("name scripts that exist, with flags their --help lists", async () => {
    const helps = new Map<string, string>()
    const problems: Array<string> = []
    for (const command of commands) {
      const w = words(command.text)
      const where = `${command.file}:${command.line} \`${command.text}\``
      // `pnpm run docs`: the script is the word after run.
      const script = w[1] === "run" ? w[2]! : w[1]!
      if (script === "--filter") {
        const scripts = w[2] === "@hero-effect/examples"
          ? examplesScripts
          : w[2] === "@hero-effect/sandbox"
          ? sandboxScripts
          : []
        if (w[3] !== "run" || !scripts.includes(w[4] ?? "")) problems.push(`${where}: no such script`)
      } else if (!["install", "i", "exec", "add"].includes(script) && !rootScripts.includes(script)) {
        problems.push(`${where}: no script "${script}" in package.json`)
      }
      const program = programOf(w)
      if (program === undefined) continue
      if (!helps.has(program)) helps.set(program, await helpOf(program))
      const help = helps.get(program)!
      for (const word of w.slice(2)) {
        const flag = /^\[?(--[a-z][a-z0-9-]*)/.exec(word)?.[1]
        if (flag === undefined || flag === "--filter" || flag === "--") continue
        if (!new RegExp(`(^|[\\s,(\\[])${flag}(?![a-z0-9-])`, "m").test(help)) {
          problems.push(`${where}: ${flag} is not in ${program} --help`)
        }
      }
    }
    expect(problems).toStrictEqual([])
  }, 300_000)

  it("run as written from the repository root: pnpm start --help, pnpm start -- --people 50", async () => {
    const help = await run("pnpm", ["start", "--help"], root)
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toContain("EXIT CODES")
    // The npm habit: options after `--`.
    const after = await run("pnpm", ["start", "--", "--people", "50", "--dry-run"], root)
    expect(after.code, after.stderr).toBe(0)
    expect(after.stderr).toMatch(/: 50 people as \d+ Hero patient records/)
    expect(after.stdout).toMatch(/^Run run-\w+: \d+ patient records in/m)
    // pnpm's own failure banner never follows ours.
    expect(after.stderr).not.toContain("ERR_PNPM")
  }, 300_000)
})
