/**
 * The whole job for one Hero patient: find EHR candidates → select → connect, and when the chosen
 * EHR record already belongs to another Hero patient, preview → guard → approve → merge → verify.
 * Every write is journaled before it runs, done under a lease, and never repeated blindly: an
 * unknown outcome (a lost response, a timeout) is verified by reading the records back.
 *
 * @since 0.1.0
 */
import type { HeroHealthError } from "@hero-effect/client"
import { HeroHealthClient } from "@hero-effect/client"
import type { EhrPartnerId, PatientId, PatientV1 } from "@hero-effect/schema"
import * as Effect from "effect/Effect"
import * as Approver from "./Approver.js"
import * as Guard from "./Guard.js"
import * as Journal from "./Journal.js"
import * as Outcome from "./Outcome.js"
import * as PatientLease from "./PatientLease.js"
import * as Scoring from "./Scoring.js"
import * as Selection from "./Selection.js"
import * as Step from "./Step.js"
import * as Verify from "./Verify.js"

/**
 * How the pipeline decides.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Identifies this run in the journal. */
  readonly runId: string
  readonly scoring?: Scoring.ScoringConfig | undefined
  readonly rules?: ReadonlyArray<Guard.GuardRule> | undefined
  /**
   * Read only: decide everything, write nothing. Links and merges are not made; their outcome is
   * `NeedsReview` with `dry-run` and what would have been done (`would-link`, `would-merge`).
   */
  readonly dryRun?: boolean | undefined
}

/**
 * What the pipeline needs.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = HeroHealthClient | Journal.Journal | PatientLease.PatientLease | Approver.Approver

type Client = HeroHealthClient["Type"]

class StepFailed {
  readonly _tag = "StepFailed"
  constructor(readonly outcome: Outcome.Outcome) {}
}

const failed = (step: Step.Step) => (error: HeroHealthError) =>
  Effect.fail(new StepFailed(Outcome.fromClientError(step, error)))

/** Reads a patient, `undefined` when it is not found. */
const readPatient = (client: Client, patientId: PatientId) =>
  client.getPatientById(patientId).pipe(
    Effect.map((p): PatientV1 | undefined => p),
    Effect.catchTag("PatientNotFound", () => Effect.succeed(undefined)),
    Effect.catchAll(failed("verify"))
  )

/**
 * Links a patient to an EHR record, journaled, verified when the outcome is unknown.
 *
 * @since 0.1.0
 * @category steps
 */
export const connect = (
  options: Options,
  patientId: PatientId,
  ehrPartnerId: EhrPartnerId
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    if (options.dryRun === true) return new Outcome.NeedsReview({ reasons: ["dry-run", "would-link"] })
    const key = Step.key("connect", patientId, ehrPartnerId)
    const base = { runId: options.runId, patientId, step: "connect" as const, key }
    yield* Journal.stepStarted(base)
    const result = yield* Effect.either(client.connectPatientEhr(patientId, { ehrPartnerId }))
    if (result._tag === "Right") {
      yield* Journal.stepFinished({ ...base, outcome: "succeeded" })
      return new Outcome.Linked({ patientId, ehrPartnerId })
    }
    const error = result.left
    if (error._tag === "Conflict") {
      yield* Journal.stepFinished({ ...base, outcome: "failed", details: { code: error.code ?? "conflict" } })
      return new Outcome.NeedsReview({ reasons: [`connect-${error.code ?? "conflict"}`] })
    }
    if (!Outcome.fromClientError("connect", error).outcomeUnknown) {
      yield* Journal.stepFinished({ ...base, outcome: "failed", details: { error: error._tag } })
      return Outcome.fromClientError("connect", error)
    }
    yield* Journal.stepFinished({ ...base, outcome: "unknown", details: { error: error._tag } })
    return yield* verifyConnect(options, patientId, ehrPartnerId)
  }).pipe(
    Effect.catchIf((e): e is StepFailed => e instanceof StepFailed, (e) => Effect.succeed(e.outcome)),
    PatientLease.withLease([PatientLease.patientKey(patientId)])
  )

const verifyConnect = (options: Options, patientId: PatientId, ehrPartnerId: EhrPartnerId) =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const key = Step.key("verify", "connect", patientId, ehrPartnerId)
    const patient = yield* readPatient(client, patientId)
    const verification = patient === undefined
      ? { evidence: "unclear" as const, reason: "patient-missing" }
      : Verify.link(patient, ehrPartnerId)
    yield* Journal.stepFinished({
      runId: options.runId,
      patientId,
      step: "verify",
      key,
      outcome: verification.evidence === "applied" ? "succeeded" : "failed",
      details: { evidence: verification.evidence, reason: verification.reason }
    })
    if (verification.evidence === "applied") return new Outcome.Linked({ patientId, ehrPartnerId })
    if (verification.evidence === "not-applied") {
      return new Outcome.Failed({ error: "NotApplied", message: "connect was not applied", step: "connect" })
    }
    return new Outcome.NeedsReview({ reasons: [`connect-${verification.reason}`] })
  })

/**
 * Merges `incoming` into `main` (which stays): re-reads both, previews, checks the guard rules,
 * asks the approver, merges with the preview's token and verifies by reading both back. Runs
 * under a lease on both patients; the token never leaves this attempt.
 *
 * @since 0.1.0
 * @category steps
 */
export const merge = (
  options: Options,
  patientId: PatientId,
  pair: { readonly main: PatientId; readonly incoming: PatientId; readonly ehrPartnerId?: EhrPartnerId | undefined }
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const { incoming, main } = pair
    const merged = new Outcome.Merged(
      pair.ehrPartnerId === undefined
        ? { mainPatientId: main, incomingPatientId: incoming }
        : { mainPatientId: main, incomingPatientId: incoming, ehrPartnerId: pair.ehrPartnerId }
    )
    const current = yield* readPatient(client, incoming)
    if (current?.status === "archived") return new Outcome.AlreadyMerged({ patientId: incoming })

    const previewKey = Step.key("preview", main, incoming)
    const journal = { runId: options.runId, patientId }
    yield* Journal.stepStarted({ ...journal, step: "preview", key: previewKey })
    const preview = yield* client.previewPatientMerge(main, { incomingPatientId: incoming }).pipe(
      Effect.catchAll((error) =>
        Effect.zipRight(
          Journal.stepFinished({
            ...journal,
            step: "preview",
            key: previewKey,
            outcome: "failed",
            details: { error: error._tag }
          }),
          error._tag === "Conflict"
            ? Effect.fail(
              new StepFailed(new Outcome.Refused({ codes: [`PREVIEW_${(error.code ?? "conflict").toUpperCase()}`] }))
            )
            : failed("preview")(error)
        )
      )
    )
    yield* Journal.stepFinished({
      ...journal,
      step: "preview",
      key: previewKey,
      outcome: "succeeded",
      details: { tokenObtained: true }
    })

    const score = Scoring.scorePatients(preview.mainPatient, preview.incomingPatient, options.scoring)
    const context = Guard.contextFromPreview(preview, {
      score,
      requested: { mainPatientId: main, incomingPatientId: incoming }
    })
    const guard = Guard.evaluate(options.rules ?? Guard.defaultRules, context)
    const request: Approver.ApprovalRequest = {
      mainPatientId: main,
      incomingPatientId: incoming,
      diff: context.diff,
      score,
      guard
    }
    const mergeKey = Step.key("merge", main, incoming)
    if (guard.verdict === "refuse") {
      const decision = new Approver.Rejected({ by: "guard", reason: Guard.codes(guard).join(",") })
      yield* Journal.decision({ ...journal, key: mergeKey, request, decision })
      return new Outcome.Refused({ codes: Guard.codes(guard) })
    }
    const decision = yield* Approver.decide(request)
    yield* Journal.decision({ ...journal, key: mergeKey, request, decision })
    if (decision._tag === "Rejected") {
      return decision.by === "dry-run"
        ? new Outcome.NeedsReview({ reasons: ["dry-run", ...Guard.codes(guard)] })
        : new Outcome.Refused({ codes: [`REJECTED_BY_APPROVER`, ...Guard.codes(guard)] })
    }
    if (decision._tag === "Deferred") {
      return new Outcome.NeedsReview({ reasons: [decision.reason, ...Guard.codes(guard)] })
    }
    if (options.dryRun === true) return new Outcome.NeedsReview({ reasons: ["dry-run", "would-merge"] })

    yield* Journal.stepStarted({ ...journal, step: "merge", key: mergeKey })
    const result = yield* Effect.either(
      client.mergePatient(main, { mergeToken: preview.mergeToken, incomingPatientId: incoming })
    )
    if (result._tag === "Left") {
      const failure = Outcome.fromClientError("merge", result.left)
      if (!failure.outcomeUnknown) {
        yield* Journal.stepFinished({
          ...journal,
          step: "merge",
          key: mergeKey,
          outcome: "failed",
          details: { error: result.left._tag }
        })
        return result.left._tag === "Conflict"
          ? new Outcome.Refused({ codes: [`MERGE_${(result.left.code ?? "conflict").toUpperCase()}`] })
          : failure
      }
      yield* Journal.stepFinished({
        ...journal,
        step: "merge",
        key: mergeKey,
        outcome: "unknown",
        details: { error: result.left._tag }
      })
    } else {
      yield* Journal.stepFinished({ ...journal, step: "merge", key: mergeKey, outcome: "succeeded" })
      // The server said the merge was done: a verification read that fails cannot undo that.
      return yield* verifyMerge(options, patientId, pair, merged).pipe(
        Effect.map((outcome) => outcome._tag === "Failed" && outcome.step === "verify" ? merged : outcome)
      )
    }
    return yield* verifyMerge(options, patientId, pair, merged)
  }).pipe(
    Effect.catchIf((e): e is StepFailed => e instanceof StepFailed, (e) => Effect.succeed(e.outcome)),
    PatientLease.withLease(PatientLease.pairKeys(pair.main, pair.incoming))
  )

const verifyMerge = (
  options: Options,
  patientId: PatientId,
  pair: { readonly main: PatientId; readonly incoming: PatientId },
  merged: Outcome.Merged
) =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const main = yield* readPatient(client, pair.main)
    const incoming = yield* readPatient(client, pair.incoming)
    const verification = Verify.merge({ main, incoming })
    yield* Journal.stepFinished({
      runId: options.runId,
      patientId,
      step: "verify",
      key: Step.key("verify", "merge", pair.main, pair.incoming),
      outcome: verification.evidence === "applied" ? "succeeded" : "failed",
      details: { evidence: verification.evidence, reason: verification.reason }
    })
    if (verification.evidence === "applied") return merged
    if (verification.evidence === "not-applied") {
      return new Outcome.Failed({ error: "NotApplied", message: "the merge was not applied", step: "merge" })
    }
    return new Outcome.NeedsReview({ reasons: [`merge-${verification.reason}`] })
  }).pipe(Effect.catchIf((e): e is StepFailed => e instanceof StepFailed, (e) => Effect.succeed(e.outcome)))

/**
 * Resolves what an interrupted earlier run left unknown, by verifying instead of repeating:
 * `undefined` when there is nothing to resolve (or the write was not applied, so the patient is
 * processed afresh).
 */
const resume = (options: Options, patientId: PatientId, state: Journal.PatientState) =>
  Effect.gen(function*() {
    if (state._tag !== "InProgress" || state.pending === undefined) return undefined
    const [step, ...ids] = state.pending.key.split(":")
    if (step === "merge" && ids.length === 2) {
      const pair = { main: ids[0] as PatientId, incoming: ids[1] as PatientId }
      const outcome = yield* verifyMerge(
        options,
        patientId,
        pair,
        new Outcome.Merged({ mainPatientId: pair.main, incomingPatientId: pair.incoming })
      )
      return outcome._tag === "Failed" && outcome.error === "NotApplied" ? undefined : outcome
    }
    if (step === "connect" && ids.length >= 2) {
      const outcome = yield* verifyConnect(options, ids[0] as PatientId, ids.slice(1).join(":") as EhrPartnerId)
      return outcome._tag === "Failed" && outcome.error === "NotApplied" ? undefined : outcome
    }
    return undefined
  })

/**
 * Runs the pipeline for one patient and journals its outcome. A patient whose journal already
 * holds an outcome is skipped (that outcome is returned); one with an unknown write is resolved by
 * verification first. Never fails with a client error: failures are `Outcome.Failed`.
 *
 * @since 0.1.0
 * @category pipeline
 */
export const processPatient = (
  options: Options,
  patientId: PatientId
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  Effect.gen(function*() {
    const state = yield* Journal.state(patientId)
    if (state._tag === "Finished") return state.outcome
    const resumed = yield* resume(options, patientId, state)
    const outcome = resumed ?? (yield* fresh(options, patientId))
    yield* recordOutcome(options, patientId, outcome)
    return outcome
  }).pipe(
    Effect.catchIf((e): e is StepFailed => e instanceof StepFailed, (e) =>
      Effect.as(recordOutcome(options, patientId, e.outcome), e.outcome)),
    Effect.withSpan("Pipeline.processPatient", {
      attributes: { "hero.patient_id": patientId },
      // A stack trace per span costs an Error per patient; the span name says where it is.
      captureStackTrace: false
    })
  )

// A write whose outcome is still unknown (it could not be verified) is not an outcome: the patient
// stays in progress in the journal, so the next run verifies it instead of skipping the patient.
const recordOutcome = (options: Options, patientId: PatientId, outcome: Outcome.Outcome) =>
  outcome._tag === "Failed" && outcome.outcomeUnknown
    ? Effect.void
    : Journal.patientOutcome({ runId: options.runId, patientId, outcome })

const fresh = (
  options: Options,
  patientId: PatientId,
  passesLeft = 2
): Effect.Effect<Outcome.Outcome, Journal.JournalError | StepFailed, Requirements> =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const base = {
      runId: options.runId,
      patientId,
      step: "candidates" as const,
      key: Step.key("candidates", patientId)
    }
    yield* Journal.stepStarted(base)
    const patient = yield* client.getPatientById(patientId).pipe(Effect.catchAll(failed("candidates")))
    if (patient.status === "archived") {
      yield* Journal.stepFinished({ ...base, outcome: "succeeded", details: { archived: true } })
      return new Outcome.AlreadyMerged({ patientId })
    }
    const candidates = yield* client.listPatientEhrCandidates(patientId).pipe(Effect.catchAll(failed("candidates")))
    const selection = Selection.selectCandidate(patient, candidates.data, options.scoring)
    yield* Journal.stepFinished({
      ...base,
      outcome: "succeeded",
      details: { candidates: candidates.data.length, selection: selection._tag }
    })
    switch (selection._tag) {
      case "AlreadyLinked":
        return selection.candidate.ehrPartnerId === undefined
          ? new Outcome.AlreadyLinked({ patientId })
          : new Outcome.AlreadyLinked({ patientId, ehrPartnerId: selection.candidate.ehrPartnerId })
      case "NoCandidate":
        return new Outcome.NoCandidate({ patientId })
      case "NeedsReview": {
        const owner = selection.candidates[0]?.candidate
        if (selection.reason === "linked-to-another-patient" && owner?.heroId !== undefined) {
          // The EHR record already belongs to another Hero patient: the two are duplicates. The
          // record that holds the EHR link stays; this one is merged into it.
          return yield* merge(options, patientId, {
            main: owner.heroId,
            incoming: patientId,
            ehrPartnerId: owner.ehrPartnerId
          })
        }
        return new Outcome.NeedsReview({ reasons: [selection.reason] })
      }
      case "Selected": {
        const ehrPartnerId = selection.candidate.ehrPartnerId
        if (ehrPartnerId === undefined) return new Outcome.NeedsReview({ reasons: ["candidate-without-ehr-id"] })
        const linked = yield* connect(options, patientId, ehrPartnerId)
        // Another patient took the EHR record first (a duplicate processed concurrently), or a
        // lost response was verified as not applied (it may have been that refusal): look again;
        // the record's owner is now known and the pair goes to the merge.
        const tookElsewhere = linked._tag === "NeedsReview" &&
          linked.reasons.includes("connect-ehr_record_linked_to_other_patient")
        const notApplied = linked._tag === "Failed" && linked.error === "NotApplied"
        if (passesLeft > 0 && (tookElsewhere || notApplied)) return yield* fresh(options, patientId, passesLeft - 1)
        return linked
      }
    }
  }).pipe(Effect.catchIf((e): e is StepFailed => e instanceof StepFailed, (e) => Effect.succeed(e.outcome)))
