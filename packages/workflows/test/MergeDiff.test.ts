import { describe, expect, it } from "@effect/vitest"
import { MergeDiff } from "@hero-effect/workflows"
import { Schema } from "effect"
import { nhsB, preview } from "./support/patients.js"

const nhsId = (value: string) => ({ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value })

describe("MergeDiff", () => {
  const p = preview(
    { email: null, mobile: "07700900001", county: "West Yorkshire", identifiers: [nhsId("x1")] },
    { email: "someone@example.org", mobile: "07700900999", title: "Dr", last_name: "Pemberton-Ng" },
    {
      email: "someone@example.org",
      mobile: "07700900999",
      county: null,
      title: "Dr",
      identifiers: [nhsId("x2"), { source: "hero", name: "hero_id", role: "secondary", label: "Hero", value: "1002" }]
    }
  )
  const d = MergeDiff.fromPreview(p)
  const f = (name: string) => MergeDiff.field(d, name)!

  it("covers every v1 field except identifiers", () => {
    expect(d.fields.map((c) => c.field)).toStrictEqual(MergeDiff.patientFields)
    expect(MergeDiff.patientFields).toContain("nhsNumber")
    expect(MergeDiff.patientFields).not.toContain("identifiers")
  })

  it("classifies unchanged, gained, lost and changed, and where values came from", () => {
    expect(f("email")).toStrictEqual({ field: "email", kind: "gained", fromIncoming: true, incomingDiffers: false })
    expect(f("mobile")).toMatchObject({ kind: "changed", fromIncoming: true })
    expect(f("county")).toMatchObject({ kind: "lost", fromIncoming: false })
    expect(f("title")).toMatchObject({ kind: "gained", fromIncoming: true })
    expect(f("firstName")).toMatchObject({ kind: "unchanged", fromIncoming: false, incomingDiffers: false })
    expect(f("lastName")).toMatchObject({ kind: "unchanged", incomingDiffers: true })
    expect(f("id")).toMatchObject({ kind: "unchanged", incomingDiffers: true })
    expect(f("nhsNumber").kind).toBe("unchanged")
    expect(f("dateOfBirth").kind).toBe("unchanged")
    expect(MergeDiff.fieldsWith(d, "gained")).toStrictEqual(["title", "email"])
    expect(MergeDiff.changes(d)).toStrictEqual([
      { field: "title", kind: "gained" },
      { field: "email", kind: "gained" },
      { field: "mobile", kind: "changed" },
      { field: "county", kind: "lost" }
    ])
    expect(MergeDiff.hasChanges(d)).toBe(true)
  })

  it("a changed value that did not come from incoming is not marked fromIncoming", () => {
    const q = MergeDiff.fromPreview(preview({ mobile: "07700900001" }, { mobile: "07700900002" }, {
      mobile: "07700900003"
    }))
    expect(MergeDiff.field(q, "mobile")).toMatchObject({ kind: "changed", fromIncoming: false, incomingDiffers: true })
  })

  it("compares structured values (NHS numbers, timestamps) by value", () => {
    const q = MergeDiff.fromPreview(
      preview({ last_sync_at: "2024-01-01T00:00:00Z" }, {}, { last_sync_at: "2024-01-01T00:00:00.000Z" })
    )
    expect(MergeDiff.field(q, "lastSyncAt")?.kind).toBe("unchanged")
    const r = MergeDiff.fromPreview(preview({}, { nhs_number: nhsB }, { nhs_number: nhsB }))
    expect(MergeDiff.field(r, "nhsNumber")).toMatchObject({ kind: "changed", fromIncoming: true })
  })

  it("diffs identifiers as sets, without values by default", () => {
    expect(d.identifiers.added).toStrictEqual([
      { source: "nhs", name: "nhs_number", role: "main", label: "NHS" },
      { source: "hero", name: "hero_id", role: "secondary", label: "Hero" }
    ])
    expect(d.identifiers.removed).toStrictEqual([{ source: "nhs", name: "nhs_number", role: "main", label: "NHS" }])
  })

  it("holds no value unless asked, and is serialisable", () => {
    const json = JSON.stringify(Schema.encodeSync(MergeDiff.MergeDiff)(d))
    for (const v of ["07700900", "someone@example.org", "West Yorkshire", "x1", "x2", "Pemberton", "Martha"]) {
      expect(json).not.toContain(v)
    }
  })

  it("includes values when the caller opts in, and withoutValues removes them again", () => {
    const withValues = MergeDiff.fromPreview(p, { includeValues: true })
    expect(MergeDiff.field(withValues, "mobile")?.values).toStrictEqual({
      main: "07700900001",
      incoming: "07700900999",
      result: "07700900999"
    })
    expect(withValues.identifiers.removed[0]?.value).toBe("x1")
    expect(MergeDiff.withoutValues(withValues)).toStrictEqual(d)
  })

  it("identical records have no changes", () => {
    const q = MergeDiff.fromPreview(preview({}, {}, {}))
    expect(MergeDiff.hasChanges(q)).toBe(false)
    expect(MergeDiff.changes(q)).toStrictEqual([])
  })
})
