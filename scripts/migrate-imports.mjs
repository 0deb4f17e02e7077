#!/usr/bin/env node
/**
 * Rewrites flat imports from `@hero-effect/schema` and `@hero-effect/client` into the deep module
 * imports that keep working from 0.2.0 on, when those package roots export one namespace per module
 * (`export * as NhsNumber from "./NhsNumber.js"`), like Effect's own packages.
 *
 *   import { NhsNumber, PatientId } from "@hero-effect/schema"
 * becomes
 *   import { NhsNumber } from "@hero-effect/schema/NhsNumber"
 *   import { PatientId } from "@hero-effect/schema/Ids"
 *
 * The names stay the same, so nothing else in a file changes. It also rewrites imports inside JSDoc
 * comments and inside ```ts blocks of Markdown files.
 *
 * Usage: node scripts/migrate-imports.mjs <file or directory>...
 * It reads the map of names to modules from a checkout of this repository's `packages/*\/src` (the
 * 0.1 flat export lists are kept in `flatExports` below, so it also runs after the roots changed).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * The 0.1 root exports that were not a whole module: renamed or picked names. Everything else was
 * `export * from "./Module.js"` and maps to that module's own exports.
 */
const flatExports = {
  client: {
    HeroHealthClient: { module: "HeroHealthClient", name: "HeroHealthClient" },
    HeroHealthClientService: { module: "HeroHealthClient", name: "Service" },
    HeroHealthConfigConfigOptions: { module: "HeroHealthConfig", name: "ConfigOptions" },
    defaultMaxResponseBytes: { module: "HeroHealthConfig", name: "defaultMaxResponseBytes" },
    defaultRateLimit: { module: "HeroHealthConfig", name: "defaultRateLimit" },
    defaultRetryBudget: { module: "HeroHealthConfig", name: "defaultRetryBudget" },
    HeroHealthConfig: { module: "HeroHealthConfig", name: "HeroHealthConfig" },
    HeroHealthConfigOptions: { module: "HeroHealthConfig", name: "Options" },
    RetryBudget: { module: "HeroHealthConfig", name: "RetryBudget" },
    validateBaseUrl: { module: "HeroHealthConfig", name: "validateBaseUrl" }
  },
  client_star: ["HeroHealthError", "Operation"],
  client_namespaces: ["RateLimitStore", "HeroHealthTransport", "UndiciTransport", "PatientWebhook"],
  schema_namespaces: ["Endpoint"]
}

const exportedNames = (file) => {
  const text = fs.readFileSync(file, "utf8")
  const names = new Set()
  for (
    const match of text.matchAll(
      /^export\s+(?:declare\s+)?(?:const|let|class|interface|type|function\*?|enum|namespace|abstract class)\s+([A-Za-z_$][\w$]*)/gm
    )
  ) {
    names.add(match[1])
  }
  for (const match of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of match[1].split(",")) {
      const spec = part.trim().replace(/^type\s+/, "")
      if (spec === "") continue
      const as = spec.split(/\s+as\s+/)
      names.add((as[1] ?? as[0]).trim())
    }
  }
  return names
}

const buildMap = () => {
  const map = { schema: new Map(), client: new Map() }
  const schemaDir = path.join(root, "packages/schema/src")
  for (const file of fs.readdirSync(schemaDir)) {
    if (!file.endsWith(".ts")) continue
    const module = file.slice(0, -3)
    if (module === "index") continue
    if (flatExports.schema_namespaces.includes(module)) {
      map.schema.set(module, { module, namespace: true })
      continue
    }
    for (const name of exportedNames(path.join(schemaDir, file))) {
      if (!map.schema.has(name)) map.schema.set(name, { module, name })
    }
  }
  for (const [exported, target] of Object.entries(flatExports.client)) map.client.set(exported, target)
  for (const module of flatExports.client_star) {
    for (const name of exportedNames(path.join(root, "packages/client/src", `${module}.ts`))) {
      if (!map.client.has(name)) map.client.set(name, { module, name })
    }
  }
  for (const module of flatExports.client_namespaces) map.client.set(module, { module, namespace: true })
  return map
}

const map = buildMap()

const importPattern = /import(\s+type)?\s*\{([^}]*)\}\s*from\s*"@hero-effect\/(schema|client)"/g

const rewriteImport = (full, typeOnly, body, pkg, prefix) => {
  const groups = new Map()
  const namespaces = []
  for (const raw of body.replace(/^\s*\*/gm, " ").split(",")) {
    const spec = raw.trim()
    if (spec === "") continue
    const isType = typeOnly !== undefined || /^type\s/.test(spec)
    const bare = spec.replace(/^type\s+/, "")
    const [imported, local] = bare.split(/\s+as\s+/).map((s) => s.trim())
    const target = map[pkg].get(imported)
    if (target === undefined) throw new Error(`unknown export ${imported} of @hero-effect/${pkg}`)
    if (target.namespace) {
      namespaces.push(
        `import ${isType ? "type " : ""}* as ${local ?? imported} from "@hero-effect/${pkg}/${target.module}"`
      )
      continue
    }
    const name = target.name === (local ?? imported) ? target.name : `${target.name} as ${local ?? imported}`
    const list = groups.get(target.module) ?? []
    list.push({ name, isType })
    groups.set(target.module, list)
  }
  const lines = [...namespaces]
  for (const [module, specs] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const allTypes = specs.every((s) => s.isType)
    const inner = specs
      .map((s) => (s.isType && !allTypes ? `type ${s.name}` : s.name))
      .sort((a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, "")))
      .join(", ")
    lines.push(`import ${allTypes ? "type " : ""}{ ${inner} } from "@hero-effect/${pkg}/${module}"`)
  }
  return lines.join(`\n${prefix}`)
}

const rewriteText = (text) =>
  text.replace(importPattern, (full, typeOnly, body, pkg, offset) => {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1
    const prefix = text.slice(lineStart, offset)
    return rewriteImport(full, typeOnly, body, pkg, /^\s*(\*\s*)?$/.test(prefix) ? prefix : "")
  })

const rewriteFile = (file) => {
  const text = fs.readFileSync(file, "utf8")
  const next = file.endsWith(".md")
    ? text.replace(
      /```(ts|typescript)\n([\s\S]*?)```/g,
      (_, lang, code) => "```" + lang + "\n" + rewriteText(code) + "```"
    )
    : rewriteText(text)
  if (next !== text) {
    fs.writeFileSync(file, next)
    console.log(`rewrote ${path.relative(process.cwd(), file)}`)
  }
}

const walk = (target) => {
  const stat = fs.statSync(target)
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target)) {
      if (entry === "node_modules" || entry === "dist" || entry.startsWith(".")) continue
      walk(path.join(target, entry))
    }
  } else if (/\.(ts|tsx|mts|cts|mjs|js|md)$/.test(target) && !target.endsWith(".d.ts")) {
    rewriteFile(target)
  }
}

const targets = process.argv.slice(2)
if (targets.length === 0) {
  console.error("usage: node scripts/migrate-imports.mjs <file or directory>...")
  process.exit(2)
}
for (const target of targets) walk(path.resolve(process.env.INIT_CWD ?? process.cwd(), target))
