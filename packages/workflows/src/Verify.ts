/**
 * Reading the evidence after a write whose outcome is unknown (a timeout, a dropped connection, a
 * crash between "started" and "finished" in the journal): given the records as they are now,
 * did the link or the merge happen? Pure; the caller re-reads the records.
 *
 * The API documents neither result, so the evidence is what the records show: a link is the
 * patient's `ehrPartnerId`; a merge shows as the incoming record archived or gone (the v1
 * `status` enum is the only hint the docs give). Anything else is `unclear`: leave it to a person
 * rather than repeat the write.
 *
 * @since 0.1.0
 */
import type { EhrPartnerId } from "@hero-effect/schema/Ids"
import type { PatientV1 } from "@hero-effect/schema/Patient"
import * as Schema from "effect/Schema"

/**
 * `applied`: the write took effect; `not-applied`: it certainly did not, and may be repeated;
 * `unclear`: the records do not tell, so a person must look.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Evidence = Schema.Literal("applied", "not-applied", "unclear")

/**
 * @since 0.1.0
 * @category models
 */
export type Evidence = typeof Evidence.Type

/**
 * The evidence and a reason code (no patient values), for the journal.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verification {
  readonly evidence: Evidence
  readonly reason: string
}

/**
 * Whether `connect` linked the patient to `ehrPartnerId`, from the patient as re-read.
 *
 * - linked to that record → `applied` (`linked`);
 * - not linked to any record → `not-applied` (`not-linked`);
 * - linked to another record → `unclear` (`linked-elsewhere`: someone else linked it, or the
 *   link replaced another; do not repeat).
 *
 * @since 0.1.0
 * @category verification
 */
export const link = (patient: PatientV1, ehrPartnerId: EhrPartnerId): Verification =>
  patient.ehrPartnerId === undefined
    ? { evidence: "not-applied", reason: "not-linked" }
    : patient.ehrPartnerId === ehrPartnerId
    ? { evidence: "applied", reason: "linked" }
    : { evidence: "unclear", reason: "linked-elsewhere" }

/**
 * Whether `merge` merged the incoming patient into the main one, from both records as re-read
 * (`undefined` when the read answered "not found").
 *
 * - incoming archived, or gone while main is still there and not archived → `applied`;
 * - both present and not archived → `not-applied` (`both-active`);
 * - main gone or archived → `unclear` (`main-missing`, `main-archived`);
 * - an unrecognised status → `unclear` (`unrecognised-status`).
 *
 * @since 0.1.0
 * @category verification
 */
export const merge = (records: {
  readonly main: PatientV1 | undefined
  readonly incoming: PatientV1 | undefined
}): Verification => {
  const { incoming, main } = records
  if (main === undefined) return { evidence: "unclear", reason: "main-missing" }
  if (main.status === "archived") return { evidence: "unclear", reason: "main-archived" }
  if (main.status !== "unarchived") return { evidence: "unclear", reason: "unrecognised-status" }
  if (incoming === undefined) return { evidence: "applied", reason: "incoming-gone" }
  if (incoming.status === "archived") return { evidence: "applied", reason: "incoming-archived" }
  if (incoming.status !== "unarchived") return { evidence: "unclear", reason: "unrecognised-status" }
  return { evidence: "not-applied", reason: "both-active" }
}
