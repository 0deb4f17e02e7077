/**
 * Decisions over the whole candidate set, not one pair: look-alike evidence (twins, relatives,
 * neighbours with the same name) and strong identity.
 *
 * A *look-alike* of a subject, next to the record chosen for it, is another record — a Hero
 * patient or an EHR record — that shares the subject's date of birth and surname (or its date of
 * birth and exact address) but is evidently a different person from the chosen one: its verified
 * NHS number differs, or its forename does. Look-alikes mean the pair score alone cannot be
 * trusted (twins agree on everything but a forename), so they forbid any automatic link or merge
 * — unless the subject is *distinguished* from each of them:
 *
 * - strong identity: subject and chosen share a verified NHS number, the same date of birth and a
 *   compatible forename (the look-alike's number, if verified, differs); or
 * - the subject's forename equals the chosen one's and is unrelated to the look-alike's (not a
 *   nickname, typo, spelling variant or part of it: Oliver next to a twin Isla), unless the
 *   configuration is `strict`.
 *
 * @since 0.1.0
 */
import type { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import * as Schema from "effect/Schema"
import * as Scoring from "./Scoring.js"

/**
 * A record seen next to the subject: a Hero patient (`heroId`) or an EHR record
 * (`ehrPartnerId`, and `heroId` when it is linked to one).
 *
 * @since 0.1.0
 * @category models
 */
export interface Seen {
  readonly source: "hero" | "ehr"
  readonly heroId?: PatientId | undefined
  readonly ehrPartnerId?: EhrPartnerId | undefined
  readonly demographics: Scoring.Demographics
}

/**
 * A look-alike, by id and the reason it is one (no values).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Found = Schema.Struct({
  source: Schema.Literal("hero", "ehr"),
  heroId: Schema.optionalWith(Schema.String, { exact: true }),
  ehrPartnerId: Schema.optionalWith(Schema.String, { exact: true }),
  reason: Schema.Literal("nhs-number-differs", "first-name-differs")
}).annotations({ identifier: "Lookalike" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Found extends Schema.Schema.Type<typeof Found> {}

/**
 * `distinguishable` (default): a look-alike whose forename is unrelated to the subject's does not
 * block when the subject's forename equals the chosen record's. `strict`: every look-alike
 * blocks unless strong identity holds.
 *
 * @since 0.1.0
 * @category models
 */
export type Mode = "distinguishable" | "strict"

const compatibleFirstName: ReadonlyArray<Scoring.Level> = ["exact", "nickname", "typo", "partial"]
const sameSurname: ReadonlyArray<Scoring.Level> = ["exact", "typo", "partial"]

/**
 * Strong identity between a subject and the chosen record: equal verified NHS numbers, the same
 * date of birth, a compatible forename (exact, nickname, typo, part) and no sex disagreement.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStrongIdentity = (vector: Scoring.MatchVector): boolean =>
  vector.nhsNumber === "exact" && vector.dateOfBirth === "exact" && compatibleFirstName.includes(vector.firstName) &&
  vector.sex !== "different"

const sameDob = (a: Scoring.Demographics, b: Scoring.Demographics) =>
  a.dateOfBirth != null && b.dateOfBirth != null && a.dateOfBirth === b.dateOfBirth

const verifiedNumber = (d: Scoring.Demographics): string | undefined =>
  d.nhsNumber?._tag === "VerifiedNhsNumber" ? d.nhsNumber.value : undefined

const isChosen = (
  seen: Seen,
  chosen: { readonly heroId?: string | undefined; readonly ehrPartnerId?: string | undefined }
) =>
  (seen.ehrPartnerId !== undefined && seen.ehrPartnerId === chosen.ehrPartnerId) ||
  (seen.heroId !== undefined && seen.heroId === chosen.heroId)

/**
 * The look-alikes among `others` of a subject next to the record chosen for it, in the order
 * of `others` sorted by id (so the answer does not depend on the order records arrived in).
 * Records that are the subject or the chosen record (by id) are skipped, and so are records that
 * are evidently the chosen person again (the same verified NHS number and a compatible forename).
 *
 * @since 0.1.0
 * @category detection
 */
export const find = (input: {
  readonly subject: Scoring.Demographics
  readonly subjectHeroId?: PatientId | undefined
  readonly chosen: Scoring.Demographics
  readonly chosenIds: { readonly heroId?: PatientId | undefined; readonly ehrPartnerId?: EhrPartnerId | undefined }
  readonly others: ReadonlyArray<Seen>
  readonly scoring?: Scoring.ScoringConfig | undefined
}): ReadonlyArray<Found> => {
  const config = input.scoring ?? Scoring.defaultConfig
  const chosenNumber = verifiedNumber(input.chosen)
  const found: Array<Found> = []
  const sorted = [...input.others].sort((a, b) => idOf(a).localeCompare(idOf(b)))
  for (const seen of sorted) {
    if (seen.heroId !== undefined && seen.heroId === input.subjectHeroId) continue
    if (isChosen(seen, input.chosenIds)) continue
    const other = seen.demographics
    if (!sameDob(input.subject, other)) continue
    const toSubject = Scoring.compare(input.subject, other, config)
    const sharesName = sameSurname.includes(toSubject.lastName)
    const sharesAddress = toSubject.postcode === "exact" && toSubject.addressLine1 === "exact"
    if (!sharesName && !sharesAddress) continue
    const toChosen = Scoring.compare(input.chosen, other, config)
    const otherNumber = verifiedNumber(other)
    const numberDiffers = chosenNumber !== undefined && otherNumber !== undefined && chosenNumber !== otherNumber
    const nameDiffers = !compatibleFirstName.includes(toChosen.firstName) && toChosen.firstName !== "missing"
    if (!numberDiffers && !nameDiffers) continue
    found.push({
      source: seen.source,
      ...(seen.heroId !== undefined ? { heroId: seen.heroId } : {}),
      ...(seen.ehrPartnerId !== undefined ? { ehrPartnerId: seen.ehrPartnerId } : {}),
      reason: numberDiffers ? "nhs-number-differs" : "first-name-differs"
    })
  }
  return found
}

const idOf = (seen: Seen): string => `${seen.source}:${seen.ehrPartnerId ?? ""}:${seen.heroId ?? ""}`

/**
 * The look-alikes that still block automation: none when strong identity holds; otherwise, in
 * `distinguishable` mode, those whose forename is related to the subject's (or the subject's
 * forename does not equal the chosen one's).
 *
 * @since 0.1.0
 * @category detection
 */
export const blocking = (input: {
  readonly subject: Scoring.Demographics
  readonly chosen: Scoring.Demographics
  readonly found: ReadonlyArray<Found>
  readonly others: ReadonlyArray<Seen>
  readonly mode?: Mode | undefined
  readonly scoring?: Scoring.ScoringConfig | undefined
}): ReadonlyArray<Found> => {
  if (input.found.length === 0) return input.found
  const config = input.scoring ?? Scoring.defaultConfig
  const toChosen = Scoring.compare(input.subject, input.chosen, config)
  if (isStrongIdentity(toChosen)) return []
  if ((input.mode ?? "distinguishable") === "strict" || toChosen.firstName !== "exact") return input.found
  return input.found.filter((f) => {
    const seen = input.others.find((s) =>
      s.source === f.source && s.heroId === f.heroId && s.ehrPartnerId === f.ehrPartnerId
    )
    if (seen === undefined) return true
    return Scoring.compare(input.subject, seen.demographics, config).firstName !== "different"
  })
}
