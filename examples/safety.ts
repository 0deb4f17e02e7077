// The identity-safety suite: runs the default job (automatic approver) over seeded worlds of
// every duplicate and look-alike family, and grades what the sandbox applied against the world's
// ground truth — merges of different people and links to another person's record must be 0.
//
//   pnpm safety                       5 seeds × 120 people, the confusion table per family
//   pnpm safety --seeds 10 --patients 400
//
// The grading reads the sandbox's own state (merges applied, links at the end), not the job's
// report, so a job that misreports cannot pass.
import { Sandbox, Truth } from "@hero-effect/sandbox"
import type { World as SandboxWorld } from "@hero-effect/sandbox"
import type { PatientId } from "@hero-effect/schema/Ids"
import { Approver, Batch, Frequencies, Journal, PatientLease, Scoring } from "@hero-effect/workflows"
import type { Outcome, Pipeline } from "@hero-effect/workflows"
import { Effect, Layer } from "effect"
import { fileURLToPath } from "node:url"

export type Order = "forward" | "reverse" | "shuffled"

export interface SafetyRun {
  readonly seed: number
  readonly grade: Truth.Grade
  readonly report: Batch.Report
  /** The writes the sandbox applied, as sorted keys: `merge main<-incoming`, `link hero->ehr`. */
  readonly writes: ReadonlyArray<string>
  /** The review items, as sorted keys (kind and ids), each once. */
  readonly reviews: ReadonlyArray<string>
}

// A seeded shuffle (mulberry32): the same seed, the same order.
const shuffle = <A>(items: ReadonlyArray<A>, seed: number): Array<A> => {
  let t = seed >>> 0
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** The term frequencies of a world's population (its Hero list and its EHR records). */
export const frequenciesOf = (world: SandboxWorld.World): Frequencies.Frequencies =>
  Frequencies.fromRecords([...world.patients, ...world.ehrRecords])

const reviewKey = (o: Outcome.Outcome): string | undefined => {
  if (o._tag !== "NeedsReview") return undefined
  const ids = [o.patientId, o.otherPatientId].filter((id) => id !== undefined).sort()
  return `${o.kind ?? "?"} ${ids.join("+")} ${o.ehrPartnerId ?? ""}`.trim()
}

/** Hero ids an outcome sends to a person. */
export const reviewedIds = (o: Outcome.Outcome): ReadonlyArray<string> =>
  o._tag === "NeedsReview" ? [o.patientId, o.otherPatientId].filter((id): id is PatientId => id !== undefined) : []

export const runSafety = (options: {
  readonly seed: number
  readonly patients?: number | undefined
  readonly world?: SandboxWorld.World | undefined
  readonly concurrency?: number | undefined
  readonly order?: Order | undefined
  readonly pipeline?: Partial<Pipeline.Options> | undefined
  readonly approver?: Approver.Service | undefined
}): Effect.Effect<SafetyRun, unknown> =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const world = sandbox.world
    const ids = world.patients.map((p) => p.id)
    const ordered = options.order === "reverse"
      ? [...ids].reverse()
      : options.order === "shuffled"
      ? shuffle(ids, options.seed * 7919 + 1)
      : ids
    const reviewed = new Set<string>()
    const reviews = new Set<string>()
    const report = yield* Batch.run(Batch.idsFromList(ordered), {
      runId: `safety-${options.seed}`,
      concurrency: options.concurrency ?? 8,
      total: ordered.length,
      scoring: Scoring.makeConfig({ frequencies: frequenciesOf(world) }),
      ...options.pipeline,
      onOutcome: (patientId, outcome) =>
        Effect.sync(() => {
          for (const id of reviewedIds(outcome)) reviewed.add(id)
          if (outcome._tag === "NeedsReview") reviewed.add(patientId)
          const key = reviewKey(outcome)
          if (key !== undefined) reviews.add(key)
        })
    })
    const final = yield* sandbox.state
    const writes = (yield* sandbox.writeLog).filter((w) =>
      w.operation === "mergePatient" || (w.operation === "connectPatientEhr" && w.detail === "connected")
    ).map((w) =>
      w.operation === "mergePatient"
        ? `merge ${w.patientId}<-${w.other ?? "?"}`
        : `link ${w.patientId}->${w.other ?? "?"}`
    ).sort()
    return {
      seed: options.seed,
      grade: Truth.grade({ initial: world, final, reviewed }),
      report,
      writes,
      reviews: [...reviews].sort()
    }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        options.world !== undefined
          ? Sandbox.layerClient({ world: options.world })
          : Sandbox.layerClient({ seed: options.seed, patients: options.patients ?? 120 }),
        Journal.layerMemory,
        PatientLease.layerMemory,
        Approver.layer(options.approver ?? Approver.automatic)
      )
    )
  )

/** Sums the per-kind rows of several runs. */
export const combine = (grades: ReadonlyArray<Truth.Grade>) => {
  const rows = new Map<string, Record<string, number>>()
  for (const g of grades) {
    for (const [kind, row] of g.byKind) {
      const acc = rows.get(kind) ?? {}
      for (const [k, v] of Object.entries(row)) if (typeof v === "number") acc[k] = (acc[k] ?? 0) + v
      rows.set(kind, acc)
    }
  }
  return rows
}

const pct = (n: number, d: number) => (d === 0 ? "  -  " : `${((100 * n) / d).toFixed(1)}%`)

/** The confusion table per family over several runs, and the headline figures. */
export const formatRuns = (runs: ReadonlyArray<SafetyRun>): string => {
  const rows = combine(runs.map((r) => r.grade))
  const header = ["family", "groups", "unsafe", "wrongLink", "autoMerged", "review", "missed", "apartReviewed"]
  const lines = [header.map((h, i) => (i === 0 ? h.padEnd(22) : h.padStart(13))).join("")]
  const total: Record<string, number> = {}
  for (const [kind, row] of rows) {
    for (const [k, v] of Object.entries(row)) total[k] = (total[k] ?? 0) + v
    lines.push(
      [
        kind.padEnd(22),
        String(row.groups ?? 0).padStart(13),
        String(row.unsafeMerges ?? 0).padStart(13),
        String(row.wrongLinks ?? 0).padStart(13),
        String(row.autoMerged ?? 0).padStart(13),
        String(row.review ?? 0).padStart(13),
        String(row.missed ?? 0).padStart(13),
        `${row.reviewed ?? 0}/${row.keepApartHeroIds ?? 0}`.padStart(13)
      ].join("")
    )
  }
  const unsafe = runs.reduce((n, r) => n + r.grade.total.unsafeMerges, 0)
  const wrong = runs.reduce((n, r) => n + r.grade.total.wrongLinks, 0)
  const mergeGroups = runs.reduce((n, r) => n + r.grade.total.mergeGroups, 0)
  const auto = runs.reduce((n, r) => n + r.grade.total.autoMerged, 0)
  const review = runs.reduce((n, r) => n + r.grade.total.review, 0)
  const missed = runs.reduce((n, r) => n + r.grade.total.missed, 0)
  const patients = runs.reduce((n, r) => n + r.report.total, 0)
  const needsReview = runs.reduce((n, r) => n + (r.report.outcomes["NeedsReview"] ?? 0), 0)
  const refused = runs.reduce((n, r) => n + (r.report.outcomes["Refused"] ?? 0), 0)
  lines.push(
    "",
    `seeds ${runs.map((r) => r.seed).join(",")}: ${patients} Hero patients`,
    `unsafe merges ${unsafe}, wrong links ${wrong}`,
    `true duplicate groups ${mergeGroups}: merged automatically ${auto} (${
      pct(auto, mergeGroups)
    }), to review ${review} (${pct(review, mergeGroups)}), missed ${missed}`,
    `patients sent to review ${needsReview} (${pct(needsReview, patients)}), refused ${refused}`
  )
  return lines.join("\n")
}

const usage = `Usage: pnpm safety [--seeds N] [--patients N] [--first-seed N]

Runs the default job (automatic approver) over N seeded worlds of every duplicate and look-alike
family and prints the confusion table per family, graded from the sandbox's own state.

  --seeds N        how many worlds (default 5)
  --patients N     people in each world (default 120; also --people)
  --first-seed N   the first world's seed (default 101); the others follow it
  --help           this text

Exit codes: 0 no unsafe merge and no wrong link; 1 at least one; 2 bad usage.`

// Strict: an unknown flag or a value that is not a positive whole number is bad usage (exit 2),
// never quietly replaced by the default.
export const parseFlags = (
  args: ReadonlyArray<string>
): { readonly _tag: "help" } | { readonly _tag: "usage"; readonly message: string } | {
  readonly _tag: "run"
  readonly seeds: number
  readonly patients: number
  readonly first: number
} => {
  const names: Record<string, "seeds" | "patients" | "first"> = {
    "--seeds": "seeds",
    "--patients": "patients",
    "--people": "patients",
    "--first-seed": "first"
  }
  const values = { seeds: 5, patients: 120, first: 101 }
  // `pnpm safety -- --seeds 2` hands a literal "--" first, as npm would.
  const rest = args[0] === "--" ? args.slice(1) : args
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === "--help" || arg === "-h") return { _tag: "help" }
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg]
    const name = names[flag!]
    if (name === undefined) return { _tag: "usage", message: `unknown argument: '${arg}' (see --help)` }
    const text = inline ?? rest[++i]
    const value = Number(text)
    if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
      return { _tag: "usage", message: `${flag} must be a whole number, at least 1 (see --help)` }
    }
    values[name] = value
  }
  return { _tag: "run", ...values }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const parsed = parseFlags(process.argv.slice(2))
  if (parsed._tag === "help") {
    process.stdout.write(`${usage}\n`)
  } else if (parsed._tag === "usage") {
    process.stderr.write(`hero-safety: ${parsed.message}\n`)
    process.exitCode = 2
  } else {
    const { first, patients, seeds } = parsed
    Effect.runPromise(
      Effect.forEach(
        Array.from({ length: seeds }, (_, i) => first + i),
        (seed) => runSafety({ seed, patients }),
        { concurrency: 1 }
      )
    ).then((runs) => {
      process.stdout.write(`${formatRuns(runs)}\n`)
      const unsafe = runs.some((r) => r.grade.total.unsafeMerges > 0 || r.grade.total.wrongLinks > 0)
      process.exitCode = unsafe ? 1 : 0
    })
  }
}
