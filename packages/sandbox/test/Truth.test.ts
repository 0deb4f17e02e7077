import { describe, expect, it } from "@effect/vitest"
import type { Sandbox as S } from "@hero-effect/sandbox"
import { Sandbox, SeedFile, Truth } from "@hero-effect/sandbox"
import { testRangeNhsNumber } from "@hero-effect/schema/NhsNumber"
import { Effect } from "effect"
import { json } from "./support/helpers.js"

// A tiny hand-built world, driven through the sandbox's own API, then graded. Every number of the
// grade is shown to move with what the run did (a grader ignoring it would fail one of these).

const nhs = (n: number) => testRangeNhsNumber(n * 1000)

const hero = (id: string, first: string, last: string, dob: string, nhsNumber?: string) => ({
  id,
  first_name: first,
  last_name: last,
  dob,
  ...(nhsNumber !== undefined ? { nhs_number: nhsNumber } : {}),
  data_source: "hero",
  status: "unarchived",
  identifiers: [{ source: "hero", name: "hero_id", role: "main", label: "Hero", value: id }]
})

const ehr = (id: string, first: string, last: string, dob: string, nhsNumber: string) => ({
  ehr_partner_id: id,
  emis_id: id,
  first_name: first,
  last_name: last,
  dob,
  nhs_number: nhsNumber,
  data_source: "emis",
  identifiers: [{ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: nhsNumber }],
  ehr_registered: true
})

const world = SeedFile.decodeSync({
  practice_group_id: "pg-truth",
  patients: [
    hero("100001", "Alice", "Smith", "1980-01-15", nhs(1)),
    hero("100002", "Alice", "Smith", "1980-01-15", nhs(1)),
    hero("100003", "Jon", "Cooper", "2001-05-02", nhs(2)),
    hero("100004", "John", "Cooper", "2001-05-02"),
    hero("100005", "Bob", "Hill", "1950-03-03", nhs(4)),
    hero("100006", "Bob", "Hill", "1950-03-03", nhs(4)),
    hero("100007", "Zed", "Mystery", "1970-07-07", nhs(5)),
    hero("100008", "Ann", "Linked", "1990-09-09", nhs(6)),
    hero("100009", "Eve", "Planted", "1960-06-06")
  ],
  ehr_records: [
    ehr("5000001", "Alice", "Smith", "1980-01-15", nhs(1)),
    ehr("5000002", "Jon", "Cooper", "2001-05-02", nhs(2)),
    ehr("5000003", "John", "Cooper", "2001-05-02", nhs(3)),
    ehr("5000004", "Zed", "Mystery", "1970-07-07", nhs(5)),
    ehr("5000005", "Ann", "Linked", "1990-09-09", nhs(6)),
    ehr("5000006", "Eva", "Planted", "1960-06-06", nhs(7))
  ],
  links: [
    { hero_id: "100008", ehr_partner_id: "5000005" },
    // A link that is wrong by the truth, but was there before the run: not the run's doing.
    { hero_id: "100009", ehr_partner_id: "5000006" }
  ],
  truth: [
    {
      kind: "samePerson",
      hero_ids: ["100001", "100002"],
      ehr_partner_ids: ["5000001"],
      should_merge: true,
      people: [{ hero_ids: ["100001", "100002"], ehr_partner_ids: ["5000001"] }]
    },
    {
      kind: "twinsSimilarNames",
      hero_ids: ["100003", "100004"],
      ehr_partner_ids: ["5000002", "5000003"],
      should_merge: false,
      people: [
        { hero_ids: ["100003"], ehr_partner_ids: ["5000002"] },
        { hero_ids: ["100004"], ehr_partner_ids: ["5000003"] }
      ]
    },
    // Without `people`: one person (should merge).
    { kind: "nhsOnly", hero_ids: ["100005", "100006"], ehr_partner_ids: [], should_merge: true },
    // A family this library does not know, without `people`: hero i with EHR i.
    { kind: "mysteryFamily", hero_ids: ["100007"], ehr_partner_ids: ["5000004"], should_merge: false },
    { kind: "alreadyLinked", hero_ids: ["100008"], ehr_partner_ids: ["5000005"], should_merge: false },
    {
      kind: "noGpBesideLookalike",
      hero_ids: ["100009"],
      ehr_partner_ids: ["5000006"],
      should_merge: false,
      people: [{ hero_ids: ["100009"], ehr_partner_ids: [] }, { hero_ids: [], ehr_partner_ids: ["5000006"] }]
    }
  ]
})

const connect = (sb: S.SandboxService, id: string, ehrPartnerId: string) =>
  Effect.map(
    json(sb, "POST", `/v1/patients/${id}/ehr/connect`, { ehr_partner_id: ehrPartnerId }, sb.headers),
    (r) => expect(r.status, `connect ${id} ${ehrPartnerId}`).toBe(200)
  )

const merge = (sb: S.SandboxService, main: string, incoming: string) =>
  Effect.gen(function*() {
    const preview = yield* json(sb, "POST", `/v1/patients/${main}/merge/preview`, { patient_id: incoming }, sb.headers)
    expect(preview.status).toBe(200)
    const merged = yield* json(
      sb,
      "POST",
      `/v1/patients/${main}/merge`,
      { patient_id: incoming, merge_token: preview.body.merge_token },
      sb.headers
    )
    expect(merged.status, `merge ${main} <- ${incoming}`).toBe(200)
  })

// Runs `steps` on a fresh sandbox over the tiny world and grades the result.
const graded = (
  steps: (sb: S.SandboxService) => Effect.Effect<void>,
  reviewed: ReadonlyArray<string> = []
) =>
  Effect.gen(function*() {
    const sb = yield* Sandbox.make({ world })
    yield* steps(sb)
    return Truth.grade({ initial: sb.world, final: yield* sb.state, reviewed: new Set(reviewed) })
  })

// The correct run: link everyone to their own record, merge the true duplicates.
const correct = (sb: S.SandboxService) =>
  Effect.gen(function*() {
    yield* connect(sb, "100001", "5000001")
    yield* merge(sb, "100001", "100002")
    yield* connect(sb, "100003", "5000002")
    yield* connect(sb, "100004", "5000003")
    yield* merge(sb, "100006", "100005")
    yield* connect(sb, "100007", "5000004")
  })

const kind = (grade: Truth.Grade, name: string) => grade.byKind.get(name)!

describe("Truth.personIndex", () => {
  it("names each record's person, with the fallbacks for entries without people", () => {
    const index = Truth.personIndex(world.truth)
    const h = (id: string) => index.heroPerson.get(id)
    const e = (id: string) => index.ehrPerson.get(id)
    // people given
    expect(h("100001")).toBe(h("100002"))
    expect(e("5000001")).toBe(h("100001"))
    expect(h("100003")).not.toBe(h("100004"))
    expect(e("5000002")).toBe(h("100003"))
    expect(e("5000003")).toBe(h("100004"))
    expect(e("5000006")).not.toBe(h("100009"))
    // should merge without people: one person
    expect(h("100005")).toBe(h("100006"))
    expect(h("100005")).not.toBe(h("100001"))
    // keep apart without people: hero i with EHR i
    expect(e("5000004")).toBe(h("100007"))
    expect(index.kindOf.get(h("100007")!)).toBe("mysteryFamily")
    expect(index.kindOf.get(h("100003")!)).toBe("twinsSimilarNames")
    expect(index.heroPerson.size).toBe(9)
    expect(index.ehrPerson.size).toBe(6)
  })

  it("keep-apart entries without people: each hero id its own person, EHR ids by position, extras their own", () => {
    const index = Truth.personIndex([
      { kind: "twins", heroIds: ["1", "2"] as any, ehrPartnerIds: ["E1", "E2", "E3"] as any, shouldMerge: false },
      {
        kind: "typo",
        heroIds: ["3", "4"] as any,
        ehrPartnerIds: ["E4"] as any,
        shouldMerge: true,
        people: [{ heroIds: ["3"] as any, ehrPartnerIds: [] }]
      }
    ])
    const h = (id: string) => index.heroPerson.get(id)
    const e = (id: string) => index.ehrPerson.get(id)
    expect(h("1")).not.toBe(h("2"))
    expect([e("E1"), e("E2")]).toStrictEqual([h("1"), h("2")])
    expect(e("E3")).toBeDefined()
    expect([h("1"), h("2")]).not.toContain(e("E3"))
    // a should-merge group's uncovered ids join its person
    expect(h("4")).toBe(h("3"))
    expect(e("E4")).toBe(h("3"))
  })
})

describe("Truth.grade", () => {
  it.effect("a correct run: no unsafe merge, no wrong link, every true duplicate merged, everyone linked", () =>
    Effect.gen(function*() {
      const grade = yield* graded(correct)
      expect(grade.total).toStrictEqual({
        groups: 6,
        mergeGroups: 2,
        unsafeMerges: 0,
        wrongLinks: 0,
        autoMerged: 2,
        review: 0,
        missed: 0,
        keepApartHeroIds: 5,
        reviewed: 0,
        linkable: 4,
        linkedCorrectly: 4
      })
      expect(grade.unsafe).toStrictEqual([])
      expect(grade.wrong).toStrictEqual([])
      expect(kind(grade, "twinsSimilarNames")).toMatchObject({ groups: 1, linkable: 2, linkedCorrectly: 2 })
      expect(kind(grade, "mysteryFamily")).toMatchObject({ linkable: 1, linkedCorrectly: 1 })
      // linked before the run, still linked
      expect(kind(grade, "alreadyLinked")).toMatchObject({ linkable: 1, linkedCorrectly: 1 })
      // the planted link is wrong, but not the run's: not counted, and not "linked correctly"
      expect(kind(grade, "noGpBesideLookalike")).toMatchObject({ wrongLinks: 0, linkable: 0, linkedCorrectly: 0 })
      expect([...grade.byKind.keys()]).toStrictEqual([
        "samePerson",
        "alreadyLinked",
        "nhsOnly",
        "twinsSimilarNames",
        "noGpBesideLookalike",
        "mysteryFamily"
      ])
    }))

  it.effect("an untouched world: true duplicates missed, nothing unsafe", () =>
    Effect.gen(function*() {
      const grade = yield* graded(() => Effect.void)
      expect(grade.total).toMatchObject({ unsafeMerges: 0, wrongLinks: 0, autoMerged: 0, review: 0, missed: 2 })
      expect(grade.total.linkedCorrectly).toBe(1)
    }))

  it.effect("one wrong merge: twins merged count as an unsafe merge, from the sandbox's merge record", () =>
    Effect.gen(function*() {
      const grade = yield* graded((sb) => merge(sb, "100003", "100004"))
      expect(grade.total.unsafeMerges).toBe(1)
      expect(kind(grade, "twinsSimilarNames").unsafeMerges).toBe(1)
      expect(kind(grade, "samePerson").unsafeMerges).toBe(0)
      expect(grade.unsafe).toStrictEqual([
        { mainId: "100003", incomingId: "100004", times: 1, kinds: ["twinsSimilarNames"] }
      ])
      expect(grade.total.wrongLinks).toBe(0)
    }))

  it.effect("a true duplicate merged into another person's record: unsafe under both kinds, once in total, and not auto-merged", () =>
    Effect.gen(function*() {
      const grade = yield* graded((sb) =>
        Effect.gen(function*() {
          yield* merge(sb, "100001", "100002")
          yield* merge(sb, "100007", "100001")
        })
      )
      expect(grade.total.unsafeMerges).toBe(1)
      expect(kind(grade, "samePerson").unsafeMerges).toBe(1)
      expect(kind(grade, "mysteryFamily").unsafeMerges).toBe(1)
      // both records ended in 100007, which is not the group's: not a success
      expect(kind(grade, "samePerson")).toMatchObject({ autoMerged: 0, missed: 1 })
    }))

  it.effect("one wrong link: a twin linked to the other twin's EHR record", () =>
    Effect.gen(function*() {
      const wrong = yield* graded((sb) => connect(sb, "100003", "5000003"))
      expect(wrong.total.wrongLinks).toBe(1)
      expect(kind(wrong, "twinsSimilarNames")).toMatchObject({ wrongLinks: 1, linkedCorrectly: 0 })
      expect(wrong.wrong).toStrictEqual([{ heroId: "100003", ehrPartnerId: "5000003", kinds: ["twinsSimilarNames"] }])
    }))

  it.effect("a merge of twins after linking both also carries the incoming twin's EHR record over: a wrong link too", () =>
    Effect.gen(function*() {
      const grade = yield* graded((sb) =>
        Effect.gen(function*() {
          yield* connect(sb, "100003", "5000002")
          yield* connect(sb, "100004", "5000003")
          yield* merge(sb, "100003", "100004")
        })
      )
      expect(grade.total).toMatchObject({ unsafeMerges: 1, wrongLinks: 1 })
      expect(grade.wrong).toStrictEqual([{ heroId: "100003", ehrPartnerId: "5000003", kinds: ["twinsSimilarNames"] }])
    }))

  it.effect("one review: a true duplicate left unmerged with a record sent to a person", () =>
    Effect.gen(function*() {
      const grade = yield* graded(
        (sb) =>
          Effect.gen(function*() {
            yield* connect(sb, "100001", "5000001")
            yield* merge(sb, "100001", "100002")
          }),
        ["100006"]
      )
      expect(kind(grade, "nhsOnly")).toMatchObject({ autoMerged: 0, review: 1, missed: 0 })
      expect(kind(grade, "samePerson")).toMatchObject({ autoMerged: 1, review: 0, missed: 0 })
      expect(grade.total).toMatchObject({ autoMerged: 1, review: 1, missed: 0 })
    }))

  it.effect("one miss: a true duplicate left unmerged and not sent to review", () =>
    Effect.gen(function*() {
      const grade = yield* graded((sb) =>
        Effect.gen(function*() {
          yield* connect(sb, "100001", "5000001")
          yield* merge(sb, "100001", "100002")
        })
      )
      expect(kind(grade, "nhsOnly")).toMatchObject({ autoMerged: 0, review: 0, missed: 1 })
      expect(grade.total).toMatchObject({ autoMerged: 1, review: 0, missed: 1 })
    }))

  it.effect("look-alikes sent to review are counted per Hero id", () =>
    Effect.gen(function*() {
      const grade = yield* graded(correct, ["100004", "100007"])
      expect(kind(grade, "twinsSimilarNames").reviewed).toBe(1)
      expect(kind(grade, "mysteryFamily").reviewed).toBe(1)
      expect(grade.total.reviewed).toBe(2)
      // a merged group's ids in `reviewed` do not make it a review
      const merged = yield* graded(correct, ["100002"])
      expect(kind(merged, "samePerson")).toMatchObject({ autoMerged: 1, review: 0 })
    }))

  it.effect("formatTable: one row per kind and a total", () =>
    Effect.gen(function*() {
      const grade = yield* graded(
        (sb) =>
          Effect.gen(function*() {
            yield* correct(sb)
            yield* merge(sb, "100001", "100007")
          }),
        ["100004"]
      )
      expect(Truth.formatTable(grade)).toBe(
        [
          "kind                 groups  unsafe merges  wrong links  auto-merged  review  missed  reviewed  linked",
          "-------------------  ------  -------------  -----------  -----------  ------  ------  --------  ------",
          "samePerson                1              1            1            1       0       0         -       -",
          "alreadyLinked             1              0            0            -       -       -         0     1/1",
          "nhsOnly                   1              0            0            1       0       0         -       -",
          "twinsSimilarNames         1              0            0            -       -       -         1     2/2",
          "noGpBesideLookalike       1              0            0            -       -       -         0     0/0",
          "mysteryFamily             1              1            1            -       -       -         0     0/1",
          "-------------------  ------  -------------  -----------  -----------  ------  ------  --------  ------",
          "total                     6              1            1            2       0       0         1     3/4"
        ].join("\n")
      )
    }))
})
