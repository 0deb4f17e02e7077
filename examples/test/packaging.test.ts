/**
 * Issue 14: the packages install beside any Effect 3 app. Packs schema, client, sandbox and
 * workflows as they would be published (`pnpm pack` turns `workspace:` and `catalog:` into
 * versions), installs the tarballs into a scratch project with a *different* effect patch than the
 * catalog's, and checks that there is one copy of effect, that a small program type-checks with
 * the installed TypeScript, and that it runs (decode a patient, call the in-memory sandbox client,
 * score with the workflows package).
 *
 * Network: the install runs `--offline` from the pnpm store first; only if that fails (the store
 * lacks the other effect patch) does it run `--prefer-offline`, fetching just what is missing once.
 * Without a registry and outside CI the test skips; with `CI` set it must run.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const requireFromRoot = createRequire(path.join(root, "package.json"))

/** The effect patch of the scratch app: on the 3.x line, but not the catalog's. */
const appEffectVersion = "3.22.3"
const packages = ["schema", "client", "sandbox", "workflows"] as const
/** The Effect packages the library shares with the app (each a peer of some package). */
const effectPeers = [
  "@effect/platform",
  "@effect/platform-node",
  "@effect/cluster",
  "@effect/rpc",
  "@effect/sql",
  "@effect/sql-sqlite-node",
  "@effect/experimental",
  "@effect/workflow"
] as const

const catalog = (): Record<string, string> => {
  const text = fs.readFileSync(path.join(root, "pnpm-workspace.yaml"), "utf8")
  const section = text.slice(text.indexOf("\ncatalog:") + "\ncatalog:".length)
  const entries: Record<string, string> = {}
  for (const line of section.split("\n").slice(1)) {
    const match = /^ {2}"?([^":\s]+)"?:\s*(\S+)\s*$/.exec(line)
    if (match === null) break
    entries[match[1]!] = match[2]!
  }
  return entries
}

/** pnpm as the running one when vitest was started by pnpm, else the `pnpm` on the PATH. */
const pnpm = (args: ReadonlyArray<string>, cwd: string) => {
  const execPath = process.env.npm_execpath
  const viaNode = execPath !== undefined && /pnpm\.c?js$/.test(execPath)
  return run(viaNode ? process.execPath : "pnpm", viaNode ? [execPath, ...args] : [...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000
  })
}

const tarFile = async (tarball: string, file: string) =>
  (await run("tar", ["-xzOf", tarball, `package/${file}`], { maxBuffer: 64 * 1024 * 1024 })).stdout

/** The directory `name` resolves to from `fromDir`, following Node's lookup (and symlinks). */
const resolvePackageDir = (name: string, fromDir: string): string | undefined => {
  for (let dir = fromDir;; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name, "package.json")
    if (fs.existsSync(candidate)) return fs.realpathSync(path.dirname(candidate))
    if (path.dirname(dir) === dir) return undefined
  }
}

const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false"
const unreachable =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ERR_PNPM_META_FETCH_FAIL|ERR_PNPM_FETCH_|ERR_SOCKET/

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`

describe("packaging", () => {
  it("installs beside a different effect 3 patch with one copy of effect", { timeout: 900_000 }, async (ctx) => {
    const started = Date.now()
    const versions = catalog()
    expect(versions.effect).toMatch(/^3\.\d+\.\d+$/)
    expect(appEffectVersion).not.toBe(versions.effect)
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hero-effect-packing-"))
    try {
      // 1. Build dist (what `pnpm build` does: incremental, a no-op when `pnpm check` ran before).
      const tsc = path.join(path.dirname(requireFromRoot.resolve("typescript/package.json")), "bin", "tsc")
      await run(process.execPath, [tsc, "-b", ...packages.map((name) => `packages/${name}/tsconfig.src.json`)], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024
      })

      // 2. Pack, and check each manifest as published.
      const tarballs = path.join(scratch, "tarballs")
      fs.mkdirSync(tarballs)
      const tarballOf: Record<string, string> = {}
      for (const name of packages) {
        const before = new Set(fs.readdirSync(tarballs))
        await pnpm(["pack", "--pack-destination", tarballs], path.join(root, "packages", name))
        const created = fs.readdirSync(tarballs).filter((file) => !before.has(file))
        expect(created).toHaveLength(1)
        const tarball = path.join(tarballs, created[0]!)
        tarballOf[`@hero-effect/${name}`] = tarball

        const manifestText = await tarFile(tarball, "package.json")
        expect(manifestText).not.toMatch(/"(workspace|catalog):/)
        const manifest = JSON.parse(manifestText)
        expect(manifest.name).toBe(`@hero-effect/${name}`)
        expect(manifest.files).toContain("LICENSE")
        expect(manifest.types).toBe("./dist/index.d.ts")
        expect(manifest.peerDependencies?.effect).toMatch(/^\^3\./)
        for (const dep of Object.keys(manifest.dependencies ?? {})) {
          expect(dep === "effect" || dep.startsWith("@effect/"), `${name} depends on ${dep}`).toBe(false)
        }
        for (const [dep, range] of Object.entries<string>(manifest.peerDependencies ?? {})) {
          if (dep === "effect" || dep.startsWith("@effect/")) expect(range, `${name} peer ${dep}`).toMatch(/^\^/)
        }
        const listing = (await run("tar", ["-tzf", tarball], { maxBuffer: 64 * 1024 * 1024 })).stdout.split("\n")
        expect(listing).toContain("package/LICENSE")
        expect(listing).toContain("package/dist/index.js")
        expect(listing).toContain("package/dist/index.d.ts")
        if (name === "sandbox") {
          // the installed command runs the compiled command line
          expect(manifest.bin).toEqual({ "hero-sandbox": "./bin/hero-sandbox.js" })
          expect(listing).toContain("package/bin/hero-sandbox.js")
          expect(listing).toContain("package/dist/internal/cli/main.js")
        }
      }

      // 3. A scratch app on another effect patch, with the Effect packages it shares.
      const app = path.join(scratch, "app")
      fs.mkdirSync(path.join(app, "src"), { recursive: true })
      const fileSpec = (tarball: string) => `file:${tarball}`
      fs.writeFileSync(
        path.join(app, "package.json"),
        JSON.stringify(
          {
            name: "packing-scratch-app",
            private: true,
            type: "module",
            dependencies: {
              ...Object.fromEntries(Object.entries(tarballOf).map(([name, tarball]) => [name, fileSpec(tarball)])),
              effect: appEffectVersion,
              ...Object.fromEntries(effectPeers.map((name) => [name, versions[name]!]))
            },
            devDependencies: { typescript: versions.typescript!, "@types/node": versions["@types/node"]! },
            // The tarballs' own `^0.1.0` on each other: take the local tarballs, not the registry.
            pnpm: {
              overrides: Object.fromEntries(
                Object.entries(tarballOf).map(([name, tarball]) => [name, fileSpec(tarball)])
              )
            }
          },
          null,
          2
        )
      )
      const storeDir = (await pnpm(["store", "path"], root)).stdout.trim()
      const install = (mode: "--offline" | "--prefer-offline") =>
        pnpm(
          ["install", mode, "--ignore-workspace", "--no-lockfile", "--no-frozen-lockfile", "--store-dir", storeDir],
          app
        )
      let network = false
      const installStarted = Date.now()
      try {
        await install("--offline")
      } catch (offline) {
        try {
          network = true
          await install("--prefer-offline")
        } catch (online) {
          // Skip only when the registry cannot be reached, and never in CI.
          if (!inCi && unreachable.test(String((online as { stderr?: string }).stderr ?? "") + String(online))) {
            console.warn(
              `packaging: the store lacks effect ${appEffectVersion} and the registry is unreachable: skipped`
            )
            ctx.skip()
          }
          throw new Error(`install failed:\n${String(offline)}\n${String(online)}`, { cause: online })
        }
      }
      console.log(
        `packaging: installed in ${seconds(installStarted)}${
          network ? " (fetched what the store lacked)" : " (offline)"
        }`
      )

      // 4. One copy of effect (and of each shared Effect package), the app's.
      const virtualStore = fs.readdirSync(path.join(app, "node_modules", ".pnpm"))
      expect(virtualStore.filter((entry) => entry.startsWith("effect@"))).toEqual([`effect@${appEffectVersion}`])
      const appEffect = resolvePackageDir("effect", app)!
      expect(JSON.parse(fs.readFileSync(path.join(appEffect, "package.json"), "utf8")).version).toBe(appEffectVersion)
      for (const name of [...Object.keys(tarballOf), ...effectPeers]) {
        const dir = resolvePackageDir(name, app)
        expect(dir, name).toBeDefined()
        expect(resolvePackageDir("effect", dir!), `effect from ${name}`).toBe(appEffect)
        for (const peer of effectPeers) {
          const shared = resolvePackageDir(peer, dir!)
          if (shared !== undefined) expect(shared, `${peer} from ${name}`).toBe(resolvePackageDir(peer, app))
        }
      }
      for (const peer of effectPeers) {
        expect(virtualStore.filter((entry) => entry.startsWith(`${peer.replace("/", "+")}@`)), peer).toHaveLength(1)
      }

      // 5. A small program: type-check it with the installed TypeScript, then run it.
      fs.writeFileSync(
        path.join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            exactOptionalPropertyTypes: true,
            module: "NodeNext",
            moduleResolution: "NodeNext",
            target: "ES2022",
            lib: ["ES2022", "DOM"],
            types: ["node"],
            outDir: "dist",
            rootDir: "src",
            skipLibCheck: false
          },
          include: ["src"]
        })
      )
      fs.writeFileSync(
        path.join(app, "src", "main.ts"),
        `// Both import styles of 0.2: one namespace per module from the root, or the module's own path.
import { HeroHealthClient } from "@hero-effect/client"
import { Sandbox } from "@hero-effect/sandbox"
import { Ids, NhsNumber } from "@hero-effect/schema"
import { PatientV1 } from "@hero-effect/schema/Patient"
import { Scoring } from "@hero-effect/workflows"
import { Effect, Layer, Schema } from "effect"

const decoded = Schema.decodeUnknownSync(PatientV1)({
  id: "1001",
  dob: "1989-04-11",
  data_source: "emis",
  status: "unarchived",
  first_name: "Ada",
  last_name: "Lovelace"
})
const nhs = Schema.decodeUnknownSync(NhsNumber.NhsNumber)("943 476 5919")

// The app's own layer (effect ${appEffectVersion}) merged with the library's.
class Greeting extends Effect.Service<Greeting>()("app/Greeting", { succeed: { text: "hello" } }) {}
const AppLive: Layer.Layer<HeroHealthClient.HeroHealthClient | Sandbox.Sandbox | Greeting, unknown> = Layer.merge(
  Sandbox.layerClient({ seed: 1 }),
  Greeting.Default
)

const program = Effect.gen(function*() {
  const hero = yield* HeroHealthClient.HeroHealthClient
  const greeting = yield* Greeting
  const fetched = yield* hero.getPatientById(Ids.PatientId.make("100001"))
  const score = Scoring.score(Scoring.fromV1(decoded), Scoring.fromV1(fetched))
  return { greeting: greeting.text, decoded: decoded.firstName, nhs, fetched: fetched.id, grade: score.grade }
})

Effect.runPromise(Effect.provide(program, AppLive)).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
`
      )
      const appTsc = path.join(resolvePackageDir("typescript", app)!, "bin", "tsc")
      const typeCheck = await run(process.execPath, [appTsc, "-p", "tsconfig.json"], { cwd: app }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`tsc failed in the scratch app:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
        }
      )
      expect(typeCheck.stdout).toBe("")
      const { stdout } = await run(process.execPath, ["dist/main.js"], { cwd: app, timeout: 300_000 })
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!)
      expect(result).toMatchObject({ greeting: "hello", decoded: "Ada", nhs: "9434765919", fetched: "100001" })
      expect(["match", "possible", "no-match"]).toContain(result.grade)

      // 6. The sandbox's installed command: --help, and a seed file written where it was typed.
      const heroSandbox = path.join(app, "node_modules", ".bin", "hero-sandbox")
      const env = { ...process.env, INIT_CWD: "" }
      const help = await run(heroSandbox, ["--help"], { cwd: app, env, timeout: 120_000 })
      expect(help.stdout).toMatch(/^Usage: hero-sandbox \[options\]/)
      const wrote = await run(heroSandbox, ["--write-seed", "world.json", "--seed", "2", "--patients", "3"], {
        cwd: app,
        env,
        timeout: 120_000
      })
      expect(wrote.stdout).toContain(path.join(app, "world.json"))
      expect(JSON.parse(fs.readFileSync(path.join(app, "world.json"), "utf8")).patients.length).toBeGreaterThanOrEqual(
        3
      )
      const missing = await run(heroSandbox, ["--seed-file", "absent.json"], { cwd: app, env, timeout: 120_000 }).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error
      )
      expect(missing?.code).toBe(1)
      expect(missing?.stderr?.trim()).toBe(`hero-sandbox: Cannot read the seed file ${path.join(app, "absent.json")}`)
      console.log(`packaging: passed in ${seconds(started)}`)
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  })
})
