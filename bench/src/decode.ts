/**
 * Decode throughput: `Schema.decodeUnknownSync` of PatientV1 and MergePreview on realistic wire
 * objects, against `JSON.parse` of the same bytes, in interleaved rounds.
 */
import { MergePreview } from "@hero-effect/schema/Merge"
import { PatientV1 } from "@hero-effect/schema/Patient"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { median, round } from "./stats.js"

export interface DecodeOptions {
  readonly rounds: number
  readonly roundMillis: number
  readonly warmupMillis: number
}

export interface DecodeRow {
  readonly model: string
  readonly bytes: number
  readonly jsonParseOpsPerSecond: number
  readonly decodeOpsPerSecond: number
  readonly parseAndDecodeOpsPerSecond: number
  /** decode ops/s ÷ JSON.parse ops/s, median of the per-round ratios. */
  readonly decodeToParseRatio: number
  readonly parseAndDecodeToParseRatio: number
}

let sink: unknown

/** Operations per second of `f`, run in batches until `millis` have passed. */
const opsPerSecond = (f: () => unknown, millis: number): number => {
  let ops = 0
  const start = performance.now()
  let now = start
  while (now - start < millis) {
    for (let i = 0; i < 200; i++) sink = f()
    ops += 200
    now = performance.now()
  }
  return ops / ((now - start) / 1000)
}

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")

export const run = (options: DecodeOptions): ReadonlyArray<DecodeRow> => {
  const cases = [
    { model: "PatientV1", text: fixture("patient-v1.json"), decode: Schema.decodeUnknownSync(PatientV1) },
    { model: "MergePreview", text: fixture("merge-preview.json"), decode: Schema.decodeUnknownSync(MergePreview) }
  ]
  return cases.map(({ decode, model, text }) => {
    const wire = JSON.parse(text) as unknown
    decode(wire) // fails loudly if the fixture does not decode
    const variants = [
      () => JSON.parse(text),
      () => decode(wire),
      () => decode(JSON.parse(text))
    ]
    for (const v of variants) opsPerSecond(v, options.warmupMillis)
    const samples: Array<Array<number>> = [[], [], []]
    for (let r = 0; r < options.rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const k = (i + r) % variants.length
        samples[k]!.push(opsPerSecond(variants[k]!, options.roundMillis))
      }
    }
    const [parse, dec, both] = samples as [Array<number>, Array<number>, Array<number>]
    return {
      model,
      bytes: Buffer.byteLength(text),
      jsonParseOpsPerSecond: Math.round(median(parse)),
      decodeOpsPerSecond: Math.round(median(dec)),
      parseAndDecodeOpsPerSecond: Math.round(median(both)),
      decodeToParseRatio: round(median(dec.map((d, i) => d / parse[i]!)), 3),
      parseAndDecodeToParseRatio: round(median(both.map((d, i) => d / parse[i]!)), 3)
    }
  })
}

export const keepSink = (): unknown => sink
