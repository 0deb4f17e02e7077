// An example script compiled once per test file, so that each child process the test starts loads
// one JavaScript file instead of tsx transforming and resolving every TypeScript module of the
// workspace through Node's off-thread loader hooks (about 6 CPU-seconds a start, ~1.5 bundled: the
// crash tests start dozens of children).
//
// The script and the workspace packages it imports (@hero-effect/*, from their TypeScript sources
// under the "@hero-effect/source" condition, as tsx resolves them) are compiled with the esbuild
// tsx itself uses, with tsx's options (target: this Node, keepNames); every other package stays an
// import of the very file Node resolves for it from the importing package (effect, @effect/*, the
// SQLite and Postgres drivers), loaded by Node as it is under tsx. What runs is the same code; only
// the loader differs. Tests that are about how a user starts a script (`tsx --conditions=…`, the
// README's commands) keep starting it with tsx (support/scripts.ts).
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

// esbuild as tsx has it (the examples package depends on tsx, not on esbuild).
interface Esbuild {
  readonly build: (options: Record<string, unknown>) => Promise<unknown>
}
interface ResolveArgs {
  readonly path: string
  readonly kind: string
  readonly resolveDir: string
  readonly importer: string
  readonly pluginData?: { readonly inner?: boolean }
}
interface PluginBuild {
  readonly onResolve: (
    options: { readonly filter: RegExp },
    callback: (args: ResolveArgs) => Promise<unknown>
  ) => void
  readonly resolve: (
    path: string,
    options: Record<string, unknown>
  ) => Promise<{ readonly path: string; readonly external: boolean; readonly errors: ReadonlyArray<unknown> }>
}
const esbuild = (): Esbuild =>
  createRequire(path.join(fs.realpathSync(path.join(examples, "node_modules/tsx")), "package.json"))(
    "esbuild"
  ) as Esbuild

let dir: string | undefined
const built = new Map<string, Promise<string>>()

/**
 * The compiled `script` (a file of examples/, e.g. "durable.ts"): the path of an .mjs file to run
 * with `node`. Built on first use in this process, into a temporary directory removed at exit.
 */
export const bundled = (script: string): Promise<string> => {
  const known = built.get(script)
  if (known !== undefined) return known
  if (dir === undefined) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), "hero-example-bundles-"))
    dir = created
    process.once("exit", () => fs.rmSync(created, { recursive: true, force: true }))
  }
  const outfile = path.join(dir, `${path.basename(script, ".ts")}.mjs`)
  const building = esbuild().build({
    entryPoints: [path.join(examples, script)],
    absWorkingDir: examples,
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    keepNames: true,
    conditions: ["@hero-effect/source"],
    logLevel: "silent",
    plugins: [{
      name: "node-resolves-other-packages",
      setup: (build: PluginBuild) => {
        build.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData?.inner === true || args.path.startsWith("@hero-effect/")) return undefined
          if (args.path.startsWith("node:")) return { external: true }
          const resolved = await build.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer: args.importer,
            pluginData: { inner: true }
          })
          if (resolved.errors.length > 0) return { errors: resolved.errors }
          // A Node built-in without "node:" (fs, events): left to Node.
          if (resolved.external) return { external: true, path: args.path }
          return { external: true, path: pathToFileURL(resolved.path).href }
        })
      }
    }]
  }).then(() => outfile)
  built.set(script, building)
  return building
}
