/**
 * Generates the two comparison clients from the OpenAPI document into bench/generated/ (ignored
 * by git): the `paths` types of openapi-typescript (for openapi-fetch) and an Effect client from
 * @tim-smart/openapi-gen. A generator that fails is recorded, not fatal.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)

export type Outcome =
  | { readonly ok: true; readonly path: string; readonly millis: number }
  | { readonly ok: false; readonly reason: string }

export interface Generated {
  readonly spec: string
  readonly openapiTypescript: Outcome
  readonly openapiGen: Outcome
}

const benchDir = fileURLToPath(new URL("../", import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url))
export const specPath = fileURLToPath(new URL("../../../shared/api/patients.openapi.yaml", import.meta.url))
const outDir = fileURLToPath(new URL("../generated/", import.meta.url))

const attempt = async (f: () => Promise<string>): Promise<Outcome> => {
  const start = performance.now()
  try {
    const path = await f()
    return { ok: true, path, millis: Math.round(performance.now() - start) }
  } catch (e) {
    const err = e as { message?: string; stderr?: string }
    const reason = `${err.message ?? String(e)}${err.stderr ? `\n${err.stderr}` : ""}`.trim().slice(0, 2000)
    return { ok: false, reason }
  }
}

export const generate = async (): Promise<Generated> => {
  fs.mkdirSync(outDir, { recursive: true })
  const openapiTypescript = await attempt(async () => {
    const out = `${outDir}patients.d.ts`
    await run(bin("openapi-typescript"), [specPath, "-o", out], { cwd: benchDir })
    return out
  })
  const openapiGen = await attempt(async () => {
    const out = `${outDir}openapi-gen-client.ts`
    const { stdout } = await run(bin("openapi-gen"), ["-s", specPath, "-n", "PatientsApi"], {
      cwd: benchDir,
      maxBuffer: 64 * 1024 * 1024
    })
    if (!stdout.includes("export const make")) {
      throw new Error("the generator printed no client (no `export const make`)")
    }
    fs.writeFileSync(out, stdout)
    return out
  })
  return { spec: specPath, openapiTypescript, openapiGen }
}
