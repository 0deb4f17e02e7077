/**
 * Ground truth, used to grade a de-duplication run: who is who ({@link personIndex}), and what a run
 * did to each family of records ({@link grade}, {@link formatTable}): merges of different people,
 * links of a Hero patient to another person's EHR record, true duplicates merged, sent to review or
 * missed. The grade reads the sandbox's own state (its merge counters and the links on both sides),
 * not the job's report.
 *
 * @since 0.1.0
 */
import type { TruthEntry, TruthKind, World, WorldState } from "./World.js"
import { duplicateKinds } from "./World.js"

/**
 * Who is who: the person each Hero patient and EHR record belongs to, and each person's kind.
 * Person keys are opaque strings (`"<entry>/<person>"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PersonIndex {
  readonly heroPerson: ReadonlyMap<string, string>
  readonly ehrPerson: ReadonlyMap<string, string>
  readonly kindOf: ReadonlyMap<string, TruthKind>
}

/**
 * Indexes the people of a world's truth. Each entry's `people` names its persons; ids the entry
 * lists but `people` does not cover fall back to: in a should-merge group, one person (the group's
 * first person, or a new one); otherwise each hero id is its own person, and EHR id `i` belongs to
 * the person of hero id `i` (its own person when there is no hero id `i`). An id listed in more than
 * one place keeps the first person it was given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const personIndex = (truth: ReadonlyArray<TruthEntry>): PersonIndex => {
  const heroPerson = new Map<string, string>()
  const ehrPerson = new Map<string, string>()
  const kindOf = new Map<string, TruthKind>()
  truth.forEach((entry, e) => {
    let persons = 0
    const newPerson = () => {
      const key = `${e}/${persons++}`
      kindOf.set(key, entry.kind)
      return key
    }
    const setHero = (id: string, key: string) => {
      if (!heroPerson.has(id)) heroPerson.set(id, key)
    }
    const setEhr = (id: string, key: string) => {
      if (!ehrPerson.has(id)) ehrPerson.set(id, key)
    }
    const own = new Map<string, string>()
    let first: string | undefined
    for (const p of entry.people ?? []) {
      const key = newPerson()
      first ??= key
      for (const id of p.heroIds) {
        if (!own.has(`h:${id}`)) own.set(`h:${id}`, key)
        setHero(id, key)
      }
      for (const id of p.ehrPartnerIds) {
        if (!own.has(`e:${id}`)) own.set(`e:${id}`, key)
        setEhr(id, key)
      }
    }
    if (entry.shouldMerge) {
      const uncovered = [
        ...entry.heroIds.filter((id) => !own.has(`h:${id}`)),
        ...entry.ehrPartnerIds.filter((id) => !own.has(`e:${id}`))
      ]
      if (uncovered.length === 0) return
      const key = first ?? newPerson()
      for (const id of entry.heroIds) if (!own.has(`h:${id}`)) setHero(id, key)
      for (const id of entry.ehrPartnerIds) if (!own.has(`e:${id}`)) setEhr(id, key)
      return
    }
    const heroKeys = entry.heroIds.map((id) => {
      const known = own.get(`h:${id}`)
      if (known !== undefined) return known
      const key = newPerson()
      own.set(`h:${id}`, key)
      setHero(id, key)
      return key
    })
    entry.ehrPartnerIds.forEach((id, i) => {
      if (own.has(`e:${id}`)) return
      setEhr(id, heroKeys[i] ?? newPerson())
    })
  })
  return { heroPerson, ehrPerson, kindOf }
}

/**
 * The counts of a grade, per kind or in total.
 *
 * @since 0.1.0
 * @category models
 */
export interface GradeCounts {
  /** Truth entries (groups). */
  readonly groups: number
  /** Of which should-merge groups. */
  readonly mergeGroups: number
  /** Merges applied whose main and incoming records are different people (must be 0). */
  readonly unsafeMerges: number
  /** Links made during the run joining a Hero patient to another person's EHR record (must be 0). */
  readonly wrongLinks: number
  /** Should-merge groups whose Hero records all ended in one active record of the group. */
  readonly autoMerged: number
  /** Should-merge groups not fully merged, with at least one record sent to review. */
  readonly review: number
  /** Should-merge groups neither merged nor sent to review. */
  readonly missed: number
  /** Hero ids of keep-apart groups (look-alikes, unique people …). */
  readonly keepApartHeroIds: number
  /** Of which sent to review. */
  readonly reviewed: number
  /** Of which belong to a person with an EHR record in the starting world (could be linked). */
  readonly linkable: number
  /** Of which are linked to their own person's EHR record at the end. */
  readonly linkedCorrectly: number
}

/**
 * The grade of one kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface KindGrade extends GradeCounts {
  readonly kind: TruthKind
}

/**
 * A merge of two different people, as the sandbox applied it.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnsafeMerge {
  readonly mainId: string
  readonly incomingId: string
  /** How many times it was applied. */
  readonly times: number
  /** The kinds of the two people (one or two). */
  readonly kinds: ReadonlyArray<TruthKind>
}

/**
 * A link of a Hero patient to another person's EHR record, made during the run.
 *
 * @since 0.1.0
 * @category models
 */
export interface WrongLink {
  readonly heroId: string
  readonly ehrPartnerId: string
  /** The kinds of the two people (one or two). */
  readonly kinds: ReadonlyArray<TruthKind>
}

/**
 * The grade of a run: per kind (known kinds in `duplicateKinds` order, then `unique`, then the
 * others by name), in total, and the offending merges and links.
 *
 * @since 0.1.0
 * @category models
 */
export interface Grade {
  readonly byKind: ReadonlyMap<TruthKind, KindGrade>
  readonly total: GradeCounts
  readonly unsafe: ReadonlyArray<UnsafeMerge>
  readonly wrong: ReadonlyArray<WrongLink>
}

/**
 * What {@link grade} reads: the starting world (with its truth), the sandbox's state at the end
 * (`yield* sandbox.state`), and the Hero ids the job sent to a person.
 *
 * @since 0.1.0
 * @category models
 */
export interface GradeInput {
  readonly initial: World
  readonly final: WorldState
  readonly reviewed: ReadonlySet<string>
}

/**
 * The kind a merge or link is counted under when a record is in no truth entry (a patient the run
 * registered, or a seed file without full truth): such a record is a person of its own.
 *
 * @since 0.1.0
 * @category constants
 */
export const untrackedKind = "untracked"

const zero: GradeCounts = {
  groups: 0,
  mergeGroups: 0,
  unsafeMerges: 0,
  wrongLinks: 0,
  autoMerged: 0,
  review: 0,
  missed: 0,
  keepApartHeroIds: 0,
  reviewed: 0,
  linkable: 0,
  linkedCorrectly: 0
}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

const kindRank = (kind: string): number => {
  const i = (duplicateKinds as ReadonlyArray<string>).indexOf(kind)
  return i >= 0 ? i : kind === "unique" ? duplicateKinds.length : duplicateKinds.length + 1
}

const linkKey = (heroId: string, ehrPartnerId: string) => `${heroId}\u0000${ehrPartnerId}`

/**
 * Grades a run against the starting world's truth.
 *
 * - `unsafeMerges`: merges the sandbox applied (its merge counters) whose main and incoming records
 *   belong to different people; counted under both people's kinds (once in the total).
 * - `wrongLinks`: links at the end (an EHR record's `hero_id`, or an active Hero patient's
 *   `ehr_partner_id`) that were not in the starting world and join a Hero patient to another
 *   person's EHR record; counted under both kinds (once in the total).
 * - Should-merge groups: `autoMerged` when every Hero record of the group ends in the same active
 *   record, itself one of the group's (following the applied merges); otherwise `review` when at
 *   least one of the group's Hero ids is in `reviewed`; otherwise `missed`.
 * - Other groups: `keepApartHeroIds`, how many of them are in `reviewed`, how many could be linked
 *   (`linkable`) and how many are linked to their own person's EHR record at the end
 *   (`linkedCorrectly`).
 *
 * Records in no truth entry are people of their own, under the kind {@link untrackedKind}.
 *
 * @since 0.1.0
 * @category grading
 */
export const grade = (input: GradeInput): Grade => {
  const { final, initial, reviewed } = input
  const index = personIndex(initial.truth)
  const heroPersonOf = (id: string) => index.heroPerson.get(id) ?? `hero:${id}`
  const ehrPersonOf = (id: string) => index.ehrPerson.get(id) ?? `ehr:${id}`
  const kindOfPerson = (key: string): TruthKind => index.kindOf.get(key) ?? untrackedKind

  const rows = new Map<TruthKind, Mutable<GradeCounts>>()
  const row = (kind: TruthKind) => {
    let r = rows.get(kind)
    if (r === undefined) {
      r = { ...zero }
      rows.set(kind, r)
    }
    return r
  }
  const total: Mutable<GradeCounts> = { ...zero }
  for (const entry of initial.truth) row(entry.kind)

  // Merges the sandbox applied: incoming → main.
  const mergedInto = new Map<string, string>()
  const unsafe: Array<UnsafeMerge> = []
  for (const [key, times] of final.merges) {
    if (times <= 0) continue
    const at = key.indexOf("<-")
    if (at < 0) continue
    const mainId = key.slice(0, at)
    const incomingId = key.slice(at + 2)
    mergedInto.set(incomingId, mainId)
    const a = heroPersonOf(mainId)
    const b = heroPersonOf(incomingId)
    if (a === b) continue
    const kinds = [...new Set([kindOfPerson(a), kindOfPerson(b)])]
    unsafe.push({ mainId, incomingId, times, kinds })
    for (const kind of kinds) row(kind).unsafeMerges += times
    total.unsafeMerges += times
  }
  const survivor = (id: string): string => {
    let current = id
    const seen = new Set<string>()
    for (;;) {
      const next = mergedInto.get(current)
      if (next === undefined || seen.has(next)) return current
      seen.add(current)
      current = next
    }
  }

  // Links at the end, and those of the starting world.
  const initialLinks = new Set<string>()
  for (const l of initial.links) initialLinks.add(linkKey(l.heroId, l.ehrPartnerId))
  for (const p of initial.patients) if (p.ehrPartnerId !== undefined) initialLinks.add(linkKey(p.id, p.ehrPartnerId))
  for (const r of initial.ehrRecords) {
    if (r.heroId !== undefined && r.ehrPartnerId !== undefined) initialLinks.add(linkKey(r.heroId, r.ehrPartnerId))
  }
  const finalLinks = new Map<string, { readonly heroId: string; readonly ehrPartnerId: string }>()
  for (const [ehrPartnerId, r] of final.ehrRecords) {
    if (r.heroId !== undefined) finalLinks.set(linkKey(r.heroId, ehrPartnerId), { heroId: r.heroId, ehrPartnerId })
  }
  for (const [id, { patient }] of final.patients) {
    if (patient.status !== "archived" && patient.ehrPartnerId !== undefined) {
      finalLinks.set(linkKey(id, patient.ehrPartnerId), { heroId: id, ehrPartnerId: patient.ehrPartnerId })
    }
  }
  const wrong: Array<WrongLink> = []
  const linkedWell = new Set<string>()
  for (const [key, link] of finalLinks) {
    const a = heroPersonOf(link.heroId)
    const b = ehrPersonOf(link.ehrPartnerId)
    if (a === b) {
      linkedWell.add(link.heroId)
      continue
    }
    if (initialLinks.has(key)) continue
    const kinds = [...new Set([kindOfPerson(a), kindOfPerson(b)])]
    wrong.push({ ...link, kinds })
    for (const kind of kinds) row(kind).wrongLinks++
    total.wrongLinks++
  }

  // Groups.
  const ehrInWorld = new Set<string>(
    initial.ehrRecords.flatMap((r) => (r.ehrPartnerId === undefined ? [] : [r.ehrPartnerId]))
  )
  const peopleWithEhr = new Set<string>()
  for (const [ehrId, key] of index.ehrPerson) if (ehrInWorld.has(ehrId)) peopleWithEhr.add(key)
  for (const entry of initial.truth) {
    const r = row(entry.kind)
    const add = (field: keyof GradeCounts, n = 1) => {
      r[field] += n
      total[field] += n
    }
    add("groups")
    if (entry.shouldMerge) {
      add("mergeGroups")
      const ends = new Set(entry.heroIds.map(survivor))
      const [end] = ends
      const active = end !== undefined && final.patients.get(end)?.patient.status === "unarchived"
      if (ends.size === 1 && active && (entry.heroIds as ReadonlyArray<string>).includes(end)) add("autoMerged")
      else if (entry.heroIds.some((id) => reviewed.has(id))) add("review")
      else add("missed")
    } else {
      add("keepApartHeroIds", entry.heroIds.length)
      add("reviewed", entry.heroIds.filter((id) => reviewed.has(id)).length)
      add("linkable", entry.heroIds.filter((id) => peopleWithEhr.has(heroPersonOf(id))).length)
      add("linkedCorrectly", entry.heroIds.filter((id) => linkedWell.has(id)).length)
    }
  }

  const byKind = new Map<TruthKind, KindGrade>(
    [...rows]
      .sort(([a], [b]) => kindRank(a) - kindRank(b) || (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, counts]) => [kind, { kind, ...counts }])
  )
  return { byKind, total, unsafe, wrong }
}

/**
 * A plain-text confusion table of a grade: one row per kind and a total, with the groups, unsafe
 * merges, wrong links, and for should-merge groups auto-merged / review / missed, for the others
 * the Hero ids sent to review and those linked correctly out of those that could be (`-` where a
 * column does not apply to the kind).
 *
 * @since 0.1.0
 * @category grading
 */
export const formatTable = (self: Grade): string => {
  const header = [
    "kind",
    "groups",
    "unsafe merges",
    "wrong links",
    "auto-merged",
    "review",
    "missed",
    "reviewed",
    "linked"
  ]
  const cells = (kind: string, c: GradeCounts): Array<string> => {
    const merging = c.mergeGroups > 0
    const apart = c.groups - c.mergeGroups > 0
    return [
      kind,
      String(c.groups),
      String(c.unsafeMerges),
      String(c.wrongLinks),
      merging ? String(c.autoMerged) : "-",
      merging ? String(c.review) : "-",
      merging ? String(c.missed) : "-",
      apart ? String(c.reviewed) : "-",
      apart ? `${c.linkedCorrectly}/${c.linkable}` : "-"
    ]
  }
  const body = [...self.byKind.values()].map((k) => cells(k.kind, k))
  const lines = [header, ...body, cells("total", self.total)]
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)))
  const format = (l: ReadonlyArray<string>) =>
    l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  return [format(header), rule, ...body.map(format), rule, format(lines[lines.length - 1]!)].join("\n")
}
