/**
 * The whole job for one Hero patient, decided over everything around it:
 *
 * 1. read the patient, its EHR candidates, and the Hero patients sharing its date of birth or
 *    verified NHS number (the population a twin, a relative or a duplicate would show up in);
 * 2. duplicates among them (a `match`, or the same verified NHS number) form a group whose
 *    survivor the `Survivor` rules choose — the same answer from every member, in any order; a
 *    patient that is not the survivor is merged into it (preview → guard → approve → merge →
 *    verify), a survivor goes on to its link;
 * 3. the link: `Selection.proposeLink` over the whole candidate set (margin, look-alikes,
 *    placeholders, link rules) → the approver → connect.
 *
 * Every write is decided by the rules and the approver, journaled before it runs, done under a
 * lease, and never repeated blindly: an unknown outcome (a lost response, a timeout) is verified
 * by reading the records back.
 *
 * Every Hero call, decision and write goes through the `Durable` seam: the public steps here keep
 * the JSON Lines `Journal`; {@link steps} runs the same code over any seam (a workflow engine's
 * activities: `ProcessPatient`).
 *
 * @since 0.1.0
 */
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import type { HeroHealthError } from "@hero-effect/client/HeroHealthError"
import { EhrPartnerId, PatientId } from "@hero-effect/schema/Ids"
import { EhrCandidateList } from "@hero-effect/schema/ListEnvelope"
import { makeMergeToken } from "@hero-effect/schema/MergeToken"
import type { PatientV2 } from "@hero-effect/schema/Patient"
import { PatientV1, PatientV3 } from "@hero-effect/schema/Patient"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Approver from "./Approver.js"
import * as Durable from "./Durable.js"
import * as Guard from "./Guard.js"
import * as Journal from "./Journal.js"
import * as Lookalike from "./Lookalike.js"
import * as Outcome from "./Outcome.js"
import * as PatientLease from "./PatientLease.js"
import type * as Placeholder from "./Placeholder.js"
import * as PopulationCache from "./PopulationCache.js"
import * as Scoring from "./Scoring.js"
import * as Selection from "./Selection.js"
import * as Step from "./Step.js"
import * as Survivor from "./Survivor.js"
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
  /** Merge rules (default `Guard.defaultRules`). */
  readonly rules?: ReadonlyArray<Guard.GuardRule> | undefined
  /** Link rules (default `Guard.defaultLinkRules`). */
  readonly linkRules?: ReadonlyArray<Guard.LinkRule> | undefined
  /** Points the best EHR candidate must clear the runner-up by (default 6). */
  readonly margin?: number | undefined
  /** How look-alikes block automation (default `distinguishable`; see `Lookalike`). */
  readonly lookalikes?: Lookalike.Mode | undefined
  readonly placeholders?: Placeholder.Config | undefined
  /** Which record stays in a merge (default `Survivor.defaultRules`). */
  readonly survivorRules?: ReadonlyArray<Survivor.Rule> | undefined
  /**
   * How the Hero population around a patient is seen: `search` (default) asks the v3 search for
   * the patients sharing its date of birth and, when it has a verified one, its NHS number (two
   * reads); `none` asks nothing — no duplicate groups, no Hero look-alikes, so only links with
   * strong identity are automatic and nothing is merged that an EHR record does not expose.
   */
  readonly population?: "search" | "none" | undefined
  /**
   * The most records one population search reads (default 500). A date of birth shared by more
   * (a sentinel) is incomplete evidence: such a patient gets no automatic decision unless strong
   * identity holds.
   */
  readonly populationLimit?: number | undefined
  /**
   * Whether the population searches of one run are shared between the patients asking the same
   * question (default `true`; see `PopulationCache`). `Batch.run` makes the cache; without a
   * `PopulationCache` in context nothing is remembered.
   */
  readonly populationCache?: boolean | undefined
  /**
   * Read only: decide everything, write nothing. Links and merges are not made; their outcome is
   * `NeedsReview` with `dry-run` and what would have been done (`would-link`, `would-merge`),
   * with the ids, score and grade — or the reasons a person must decide.
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

/**
 * What the pipeline's steps need when the `Durable` seam is given instead of the journal (see
 * {@link steps}).
 *
 * @since 0.2.0
 * @category models
 */
export type StepRequirements = HeroHealthClient | Durable.Durable | PatientLease.PatientLease | Approver.Approver

// A read the patient's decisions need failed: its outcome is the failure. Settled once, where a
// public entry point returns (caught by its tag, never escaping the module).
class StepFailed extends Data.TaggedError("StepFailed")<{ readonly outcome: Outcome.Outcome }> {}

const isStepFailed = (e: unknown): e is StepFailed => Predicate.isTagged(e, "StepFailed")

const settle = <A, E, R>(self: Effect.Effect<A, E | StepFailed, R>): Effect.Effect<A | Outcome.Outcome, E, R> =>
  Effect.catchIf(self, isStepFailed, (e) => Effect.succeed(e.outcome)) as Effect.Effect<A | Outcome.Outcome, E, R>

const failed = (step: Step.Step) => (error: HeroHealthError) =>
  Effect.fail(new StepFailed({ outcome: Outcome.fromClientError(step, error) }))

// The public steps keep their journal: one seam over it per call, holding that call's tokens.
const withJournal = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, Durable.Durable> | Journal.Journal | HeroHealthClient> =>
  Effect.provideServiceEffect(self, Durable.Durable, Durable.makeJournal)

/** Reads a patient, `undefined` when it is not found. */
const readPatient = (patientId: PatientId) =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const durable = yield* Durable.Durable
    return yield* durable.call(
      { name: `read:${patientId}`, success: Durable.PatientOrMissing },
      client.getPatientById(patientId).pipe(
        Effect.map((p): PatientV1 | undefined => p),
        Effect.catchTag("PatientNotFound", () => Effect.succeed(undefined))
      )
    )
  }).pipe(Effect.catchAll(failed("verify")))

// A verification's end, for the record (a failed read records nothing: it is the outcome).
const recordVerification = (result: Either.Either<Verify.Verification, unknown>): Durable.Finish | undefined =>
  result._tag === "Left" ? undefined : {
    outcome: result.right.evidence === "applied" ? "succeeded" : "failed",
    details: { evidence: result.right.evidence, reason: result.right.reason }
  }

/**
 * Writes a link of a patient to an EHR record — journaled, verified when the outcome is unknown —
 * without deciding anything: the pipeline calls it only after {@link link} has run the link rules
 * and the approver. Use `link` unless you have decided yourself.
 *
 * @since 0.1.0
 * @category steps
 */
export const connect = (
  options: Options,
  patientId: PatientId,
  ehrPartnerId: EhrPartnerId
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  connectStep(options, patientId, ehrPartnerId).pipe(settle, withJournal)

const connectStep = (options: Options, patientId: PatientId, ehrPartnerId: EhrPartnerId) =>
  Effect.gen(function*() {
    const item = { kind: "link" as const, patientId, ehrPartnerId }
    if (options.dryRun === true) return Outcome.needsReview(["dry-run", "would-link"], item)
    const durable = yield* Durable.Durable
    yield* forgetPopulation([patientId])
    const result = yield* durable.connect({ runId: options.runId, patientId, ehrPartnerId })
    switch (result._tag) {
      case "Written":
      case "AlreadyApplied":
        return new Outcome.Linked({ patientId, ehrPartnerId })
      case "NotWritten":
        return result.error._tag === "Conflict"
          ? Outcome.needsReview([`connect-${result.error.code ?? "conflict"}`], item)
          : Outcome.fromClientError("connect", result.error)
      case "Unclear":
        return Outcome.needsReview([`connect-${result.reason}`], item)
      case "Unknown":
        return yield* verifyConnect(options, patientId, ehrPartnerId)
      case "PreviewFailed":
      case "PreviewChanged":
        return yield* Effect.dieMessage(`connect: unexpected ${result._tag}`)
    }
  }).pipe(PatientLease.withLease([PatientLease.patientKey(patientId)]))

const verifyConnect = (options: Options, patientId: PatientId, ehrPartnerId: EhrPartnerId) =>
  Effect.gen(function*() {
    const durable = yield* Durable.Durable
    const verification = yield* durable.step(
      {
        runId: options.runId,
        patientId,
        step: "verify",
        key: Step.key("verify", "connect", patientId, ehrPartnerId),
        started: false,
        finish: recordVerification
      },
      Effect.map(readPatient(patientId), (patient): Verify.Verification =>
        patient === undefined ? { evidence: "unclear", reason: "patient-missing" } : Verify.link(patient, ehrPartnerId))
    )
    if (verification.evidence === "applied") {
      return new Outcome.Linked({ patientId, ehrPartnerId })
    }
    if (verification.evidence === "not-applied") {
      return new Outcome.Failed({ error: "NotApplied", message: "connect was not applied", step: "connect" })
    }
    return Outcome.needsReview([`connect-${verification.reason}`], { kind: "link", patientId, ehrPartnerId })
  })

/**
 * A pair to merge: `incoming` into `main` (which stays), the EHR record the main one holds, if
 * that is how the pair was found, and the records seen around the pair (look-alike evidence for
 * the guard).
 *
 * @since 0.1.0
 * @category models
 */
export interface MergePair {
  readonly main: PatientId
  readonly incoming: PatientId
  readonly ehrPartnerId?: EhrPartnerId | undefined
  readonly others?: ReadonlyArray<Lookalike.Seen> | undefined
  /**
   * The incoming record as just read by the caller, which holds the patient's processing lease
   * (so nobody else merges it meanwhile): the merge then does not read it again. Without it, the
   * merge reads it first (an archived one is `AlreadyMerged`).
   */
  readonly incomingRecord?: PatientV1 | undefined
}

const reviewReasons = (guard: Guard.GuardResult, score: Scoring.ScoreResult, decision: Approver.ApprovalDecision) => {
  const codes = Guard.codes(guard)
  return [
    ...codes,
    ...(score.grade !== "match" ? ["SCORE_NOT_MATCH"] : []),
    ...(codes.length === 0 && score.grade === "match" && decision._tag === "Deferred" ? ["DEFERRED_BY_APPROVER"] : [])
  ]
}

// A person's rejection through the review queue, or the approver's.
const rejectedBy = (decision: Approver.Rejected) =>
  decision.reviewId === undefined ? "REJECTED_BY_APPROVER" : "REJECTED_BY_REVIEWER"

const previewFailure = (error: HeroHealthError, item: Outcome.ItemContext): Outcome.Outcome =>
  error._tag === "Conflict"
    ? Outcome.refused([`PREVIEW_${(error.code ?? "conflict").toUpperCase()}`], item)
    : Outcome.fromClientError("preview", error)

// The guard reads the previewed records only; the token itself stays inside the seam.
const noToken = makeMergeToken("")

const isClientError = (e: HeroHealthError | Journal.JournalError): e is HeroHealthError => e._tag !== "JournalError"

/**
 * Merges `incoming` into `main` (which stays): reads the incoming one (unless the caller just
 * did), previews, checks the guard rules (with the look-alikes seen around the pair), asks the
 * approver and merges with the preview's token. A merge the server confirms is done; one whose
 * answer was lost is verified by reading both records back, never repeated blindly. Runs under a
 * lease on both patients; the token never leaves this attempt.
 *
 * @since 0.1.0
 * @category steps
 */
export const merge = (
  options: Options,
  patientId: PatientId,
  pair: MergePair
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  mergeStep(options, patientId, pair).pipe(settle, withJournal)

const mergeStep = (options: Options, patientId: PatientId, pair: MergePair) =>
  Effect.gen(function*() {
    const durable = yield* Durable.Durable
    const { incoming, main } = pair
    const other = patientId === main ? incoming : main
    const item = { kind: "merge" as const, patientId, otherPatientId: other, mainPatientId: main }
    const merged = new Outcome.Merged(
      pair.ehrPartnerId === undefined
        ? { mainPatientId: main, incomingPatientId: incoming }
        : { mainPatientId: main, incomingPatientId: incoming, ehrPartnerId: pair.ehrPartnerId }
    )
    const current = pair.incomingRecord ?? (yield* readPatient(incoming))
    if (current?.status === "archived") return new Outcome.AlreadyMerged({ patientId: incoming })

    const at = { runId: options.runId, patientId, main, incoming }
    const preview = yield* durable.preview(at).pipe(
      Effect.catchIf(isClientError, (error) => Effect.fail(new StepFailed({ outcome: previewFailure(error, item) })))
    )

    const score = Scoring.scorePatients(preview.mainPatient, preview.incomingPatient, options.scoring)
    const subject = Scoring.fromV1(preview.incomingPatient)
    const chosen = Scoring.fromV1(preview.mainPatient)
    const others = (pair.others ?? []).filter((o) => o.heroId !== main && o.heroId !== incoming)
    const lookalikes = Lookalike.blocking({
      subject,
      chosen,
      found: Lookalike.find({
        subject,
        subjectHeroId: incoming,
        chosen,
        chosenIds: { heroId: main, ehrPartnerId: preview.mainPatient.ehrPartnerId },
        others,
        scoring: options.scoring
      }),
      others,
      mode: options.lookalikes,
      scoring: options.scoring
    })
    const context = Guard.contextFromPreview({ ...preview, mergeToken: noToken }, {
      score,
      requested: { mainPatientId: main, incomingPatientId: incoming },
      evidence: { lookalikes, placeholders: options.placeholders }
    })
    const guard = Guard.evaluate(options.rules ?? Guard.defaultRules, context)
    const request: Approver.MergeApprovalRequest = {
      kind: "merge",
      runId: options.runId,
      mainPatientId: main,
      incomingPatientId: incoming,
      diff: context.diff,
      score,
      guard,
      records: { main: preview.mainPatient, incoming: preview.incomingPatient, result: preview.resultPatient }
    }
    const scored = { ...item, ...Outcome.scoreContext(score) }
    const decision = yield* durable.decision(
      { runId: options.runId, patientId, key: Step.key("merge", main, incoming), request },
      guard.verdict === "refuse"
        ? Effect.succeed(new Approver.Rejected({ by: "guard", reason: Guard.codes(guard).join(",") }))
        : Approver.decide(request)
    )
    const itemWithScore = decision.reviewId === undefined ? scored : { ...scored, reviewId: decision.reviewId }
    if (guard.verdict === "refuse") return Outcome.refused(Guard.codes(guard), scored)
    if (decision._tag === "Rejected") {
      return decision.by === "dry-run"
        ? Outcome.needsReview(["dry-run", ...reviewReasons(guard, score, decision)], itemWithScore)
        : Outcome.refused([rejectedBy(decision), ...Guard.codes(guard)], itemWithScore)
    }
    if (decision._tag === "Deferred") return Outcome.needsReview(reviewReasons(guard, score, decision), itemWithScore)
    if (options.dryRun === true) return Outcome.needsReview(["dry-run", "would-merge"], itemWithScore)

    yield* forgetPopulation([main, incoming])
    const result = yield* durable.merge({ ...at, preview })
    switch (result._tag) {
      case "Written":
      case "AlreadyApplied":
        return merged
      case "NotWritten":
        return result.error._tag === "Conflict"
          ? Outcome.refused([`MERGE_${(result.error.code ?? "conflict").toUpperCase()}`], itemWithScore)
          : Outcome.fromClientError("merge", result.error)
      case "Unknown":
        return yield* verifyMerge(options, patientId, pair, merged)
      case "Unclear":
        return Outcome.needsReview([`merge-${result.reason}`], itemWithScore)
      case "PreviewFailed":
        return previewFailure(result.error, itemWithScore)
      case "PreviewChanged":
        // The approval was for the records the first preview showed; these are others.
        return Outcome.needsReview(["merge-preview-changed"], itemWithScore)
    }
  }).pipe(PatientLease.withLease(PatientLease.pairKeys(pair.main, pair.incoming)))

const verifyMerge = (
  options: Options,
  patientId: PatientId,
  pair: { readonly main: PatientId; readonly incoming: PatientId },
  merged: Outcome.Merged
) =>
  Effect.gen(function*() {
    const durable = yield* Durable.Durable
    const verification = yield* durable.step(
      {
        runId: options.runId,
        patientId,
        step: "verify",
        key: Step.key("verify", "merge", pair.main, pair.incoming),
        started: false,
        finish: recordVerification
      },
      Effect.gen(function*() {
        const main = yield* readPatient(pair.main)
        const incoming = yield* readPatient(pair.incoming)
        return Verify.merge({ main, incoming })
      })
    )
    if (verification.evidence === "applied") return merged
    if (verification.evidence === "not-applied") {
      return new Outcome.Failed({ error: "NotApplied", message: "the merge was not applied", step: "merge" })
    }
    return new Outcome.NeedsReview({ reasons: [`merge-${verification.reason}`] })
  })

const decodePatientId = Schema.decodeOption(PatientId)

/**
 * Resolves what an interrupted earlier run left unknown, by verifying instead of repeating:
 * `undefined` when there is nothing to resolve (or the write was not applied, so the patient is
 * processed afresh).
 */
const resume = (options: Options, patientId: PatientId, state: Journal.PatientState) =>
  Effect.gen(function*() {
    if (state._tag !== "InProgress" || state.pending === undefined) return undefined
    const [step, ...ids] = state.pending.key.split(":")
    // The key's ids come back from the journal: decoded, and a pending write whose ids do not
    // decode is for a person to look at (it may or may not have been applied).
    const unreadable = new Outcome.NeedsReview({ reasons: [`${step}-pending-unreadable`] })
    if (step === "merge" && ids.length === 2) {
      const main = decodePatientId(ids[0]!)
      const incoming = decodePatientId(ids[1]!)
      if (Option.isNone(main) || Option.isNone(incoming)) return unreadable
      const pair = { main: main.value, incoming: incoming.value }
      const outcome = yield* verifyMerge(
        options,
        patientId,
        pair,
        new Outcome.Merged({ mainPatientId: pair.main, incomingPatientId: pair.incoming })
      )
      return outcome._tag === "Failed" && outcome.error === "NotApplied" ? undefined : outcome
    }
    if (step === "connect" && ids.length >= 2) {
      const id = decodePatientId(ids[0]!)
      if (Option.isNone(id)) return unreadable
      const outcome = yield* verifyConnect(options, id.value, EhrPartnerId.make(ids.slice(1).join(":")))
      return outcome._tag === "Failed" && outcome.error === "NotApplied" ? undefined : outcome
    }
    return undefined
  })

/**
 * Runs the pipeline for one patient and journals its outcome. A patient whose journal already
 * holds an outcome is skipped (that outcome is returned); one with an unknown write is resolved by
 * verification first. Never fails with a client error: failures are `Outcome.Failed`. The whole
 * processing is held under `PatientLease.processingKey`: two runs over one patient (two batches
 * sharing a lease layer and a journal) take turns and the second returns the first's outcome.
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
    Effect.catchIf(isStepFailed, (e) => Effect.as(recordOutcome(options, patientId, e.outcome), e.outcome)),
    withJournal,
    // The whole of the patient's processing — journal state, reads, decisions, writes — is held:
    // a second run over the same patient waits, then finds the first one's outcome.
    PatientLease.withLease([PatientLease.processingKey(patientId)]),
    Effect.withSpan("Pipeline.processPatient", {
      attributes: { "hero.patient_id": patientId },
      // A stack trace per span costs an Error per patient; the span name says where it is.
      captureStackTrace: false
    })
  )

/**
 * The pipeline's steps for one patient through the `Durable` seam in context — reads, decisions,
 * preview, writes, verification — without the journal's skip-and-resume: what a workflow engine
 * runs (see `ProcessPatient`), whose storage replays what already happened. The same decisions as
 * {@link processPatient}, under the same processing lease. Never fails with a client error.
 *
 * @since 0.2.0
 * @category pipeline
 */
export const steps = (
  options: Options,
  patientId: PatientId
): Effect.Effect<Outcome.Outcome, Journal.JournalError, StepRequirements> =>
  fresh(options, patientId).pipe(
    settle,
    PatientLease.withLease([PatientLease.processingKey(patientId)]),
    Effect.withSpan("Pipeline.steps", {
      attributes: { "hero.patient_id": patientId },
      captureStackTrace: false
    })
  )

// A write whose outcome is still unknown (it could not be verified) is not an outcome: the patient
// stays in progress in the journal, so the next run verifies it instead of skipping the patient.
const recordOutcome = (options: Options, patientId: PatientId, outcome: Outcome.Outcome) =>
  outcome._tag === "Failed" && outcome.outcomeUnknown
    ? Effect.void
    : Journal.patientOutcome({ runId: options.runId, patientId, outcome })

/**
 * Decides a link and, when the approver agrees, writes it: the link rules' verdict, the
 * approver's decision (journaled with the score, codes and differing field names), then
 * {@link connect}. A dry run stops before the write and says what it would have linked.
 *
 * @since 0.1.0
 * @category steps
 */
export const link = (
  options: Options,
  patient: PatientV1,
  proposal: Selection.Proposed
): Effect.Effect<Outcome.Outcome, Journal.JournalError, Requirements> =>
  linkStep(options, patient, proposal).pipe(settle, withJournal)

const linkStep = (options: Options, patient: PatientV1, proposal: Selection.Proposed) =>
  Effect.gen(function*() {
    const ehrPartnerId = proposal.candidate.ehrPartnerId
    const patientId = patient.id
    const item = { kind: "link" as const, patientId, ehrPartnerId, ...Outcome.scoreContext(proposal.result) }
    if (ehrPartnerId === undefined) return Outcome.needsReview(["candidate-without-ehr-id"], item)
    const durable = yield* Durable.Durable
    const { guard } = proposal
    const request: Approver.LinkApprovalRequest = {
      kind: "link",
      runId: options.runId,
      patientId,
      ehrPartnerId,
      score: proposal.result,
      guard,
      records: { patient, candidate: proposal.candidate }
    }
    const decision = yield* durable.decision(
      { runId: options.runId, patientId, key: Step.key("connect", patientId, ehrPartnerId), request },
      guard.verdict === "refuse"
        ? Effect.succeed(new Approver.Rejected({ by: "guard", reason: Guard.codes(guard).join(",") }))
        : Approver.decide(request)
    )
    if (guard.verdict === "refuse") return Outcome.refused(Guard.codes(guard), item)
    const reviewed = decision.reviewId === undefined ? item : { ...item, reviewId: decision.reviewId }
    if (decision._tag === "Rejected") {
      return decision.by === "dry-run"
        ? Outcome.needsReview(["dry-run", ...reviewReasons(guard, proposal.result, decision)], reviewed)
        : Outcome.refused([rejectedBy(decision), ...Guard.codes(guard)], reviewed)
    }
    if (decision._tag === "Deferred") {
      return Outcome.needsReview(reviewReasons(guard, proposal.result, decision), reviewed)
    }
    if (options.dryRun === true) return Outcome.needsReview(["dry-run", "would-link"], item)
    return yield* connectStep(options, patientId, ehrPartnerId)
  })

// A population answer as an engine stores it: v3 search results (the v2 shape and the ODS code).
const PopulationAnswer: Schema.Schema<PopulationCache.Answer, any> = Schema.Struct({
  records: Schema.Array(PatientV3),
  complete: Schema.Boolean
})

/**
 * Hero patients around a patient: the v3 search by date of birth and by verified NHS number —
 * each answer shared through the run's `PopulationCache` with the other patients asking the same.
 */
const population = (options: Options, patient: PatientV1) =>
  Effect.gen(function*() {
    if (options.population === "none") return { records: [] as ReadonlyArray<PatientV2>, complete: false }
    const client = yield* HeroHealthClient
    const durable = yield* Durable.Durable
    const limit = options.populationLimit ?? 500
    const cache = options.populationCache === false
      ? undefined
      : Option.getOrUndefined(yield* Effect.serviceOption(PopulationCache.PopulationCache))
    const queries = [
      ...(patient.dateOfBirth !== null && patient.dateOfBirth !== undefined
        ? [{ key: `dob:${patient.dateOfBirth}:${limit}`, query: { dateOfBirth: patient.dateOfBirth } }]
        : []),
      ...(patient.nhsNumber?._tag === "VerifiedNhsNumber"
        ? [{ key: `nhs:${patient.nhsNumber.value}:${limit}`, query: { nhsNumber: patient.nhsNumber.value } }]
        : [])
    ]
    const byId = new Map<string, PatientV2>()
    let complete = true
    for (const { key, query } of queries) {
      const search = client.streamPatientsV3({ ...query, pageSize: 100 }).pipe(
        Stream.take(limit + 1),
        Stream.runCollect,
        Effect.map((page): PopulationCache.Answer => ({
          records: Chunk.toReadonlyArray(page).slice(0, limit),
          complete: Chunk.size(page) <= limit
        }))
      )
      // The call is named by the patient only: the query holds a date of birth or an NHS number.
      const answer = yield* durable.call(
        { name: `population:${patient.id}`, success: PopulationAnswer },
        cache === undefined ? search : cache.lookup(key, search)
      ).pipe(Effect.catchAll(failed("candidates")))
      if (!answer.complete) complete = false
      for (const record of answer.records) {
        if (record.heroId !== undefined && record.heroId !== patient.id) byId.set(record.heroId, record)
      }
    }
    const records = [...byId.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r)
    return { records, complete }
  })

/** This run's remembered searches holding these records are stale from now on. */
const forgetPopulation = (heroIds: ReadonlyArray<string>) =>
  Effect.flatMap(
    Effect.serviceOption(PopulationCache.PopulationCache),
    Option.match({ onNone: () => Effect.void, onSome: (cache) => cache.invalidate(heroIds) })
  )

// The records seen around a patient, as look-alike evidence: Hero patients (v3 search results)
// and EHR candidates share the v2 shape.
const seenAs = (source: "hero" | "ehr") => (records: ReadonlyArray<PatientV2>): ReadonlyArray<Lookalike.Seen> =>
  records.map((r) => ({ source, heroId: r.heroId, ehrPartnerId: r.ehrPartnerId, demographics: Scoring.fromV2(r) }))

const heroSeen = seenAs("hero")
const ehrSeen = seenAs("ehr")

/**
 * The Hero records that are duplicates of a patient: a `match`, or the same verified NHS number
 * (merged or reviewed under the merge rules) — and those that agree on everything but carry a
 * different verified NHS number (never merged: a person routes them to PCSE).
 *
 * @since 0.1.0
 * @category steps
 */
export const duplicatesOf = (
  patient: PatientV1,
  records: ReadonlyArray<PatientV2>,
  config: Scoring.ScoringConfig = Scoring.defaultConfig
): {
  readonly duplicates: ReadonlyArray<PatientV2>
  readonly numberMismatches: ReadonlyArray<PatientV2>
} => {
  const subject = Scoring.fromV1(patient)
  const duplicates: Array<PatientV2> = []
  const numberMismatches: Array<PatientV2> = []
  for (const record of records) {
    const result = Scoring.score(subject, Scoring.fromV2(record), config)
    if (result.vector.nhsNumber === "exact" || result.grade === "match") duplicates.push(record)
    else if (
      result.vector.nhsNumber === "different" &&
      Scoring.scoreWithoutNhsNumber(subject, Scoring.fromV2(record), config).grade === "match"
    ) numberMismatches.push(record)
  }
  return { duplicates, numberMismatches }
}

// What the candidates stage saw; the journal's record of it holds counts and codes only.
const candidatesFinish = (
  result: Either.Either<
    | { readonly _tag: "Archived" }
    | {
      readonly _tag: "Seen"
      readonly patient: PatientV1
      readonly candidates: number
      readonly population: number
      readonly duplicates: number
      readonly choice: Survivor.Choice
    },
    unknown
  >
): Durable.Finish | undefined => {
  if (result._tag === "Left") return undefined
  const seen = result.right
  if (seen._tag === "Archived") return { outcome: "succeeded", details: { archived: true } }
  return {
    outcome: "succeeded",
    details: {
      candidates: seen.candidates,
      population: seen.population,
      duplicates: seen.duplicates,
      survivor: seen.choice.survivor.id === seen.patient.id ? "self" : "other",
      survivorRule: seen.choice.decidedBy
    }
  }
}

const fresh = (
  options: Options,
  patientId: PatientId,
  passesLeft = 2
): Effect.Effect<Outcome.Outcome, Journal.JournalError | StepFailed, StepRequirements> =>
  Effect.gen(function*() {
    const client = yield* HeroHealthClient
    const durable = yield* Durable.Durable
    const seen = yield* durable.step(
      {
        runId: options.runId,
        patientId,
        step: "candidates",
        key: Step.key("candidates", patientId),
        finish: candidatesFinish
      },
      Effect.gen(function*() {
        const patient = yield* durable.call(
          { name: `patient:${patientId}`, success: PatientV1 },
          client.getPatientById(patientId)
        )
          .pipe(Effect.catchAll(failed("candidates")))
        if (patient.status === "archived") return { _tag: "Archived" as const }
        const candidates = yield* durable.call(
          { name: `candidates:${patientId}`, success: EhrCandidateList },
          client.listPatientEhrCandidates(patientId)
        ).pipe(Effect.catchAll(failed("candidates")))
        const around = yield* population(options, patient)
        const { duplicates, numberMismatches } = duplicatesOf(patient, around.records, options.scoring)
        // Duplicates: the survivor is chosen by rules, the same from every member of the group.
        const group = [
          Survivor.contender(patient.id, patient),
          ...duplicates.map((d) => Survivor.contender(d.heroId!, d))
        ]
        return {
          _tag: "Seen" as const,
          patient,
          candidates: candidates.data.length,
          candidateRecords: candidates.data,
          around,
          population: around.records.length,
          duplicates: duplicates.length,
          numberMismatches,
          choice: Survivor.choose(group, options.survivorRules)
        }
      })
    )
    if (seen._tag === "Archived") return new Outcome.AlreadyMerged({ patientId })
    const { around, choice, patient } = seen
    const others = [...heroSeen(around.records), ...ehrSeen(seen.candidateRecords)]
    if (choice.survivor.id !== patient.id) {
      // No EHR id in the outcome: whether the survivor is linked yet depends on which patient ran
      // first, and an outcome must not.
      return yield* mergeStep(options, patientId, {
        main: choice.survivor.id,
        incoming: patientId,
        others,
        incomingRecord: patient
      })
    }

    const proposal = Selection.proposeLink(patient, seen.candidateRecords, heroSeen(around.records), {
      scoring: options.scoring,
      margin: options.margin,
      lookalikes: options.lookalikes,
      placeholders: options.placeholders,
      rules: around.complete ? options.linkRules : Guard.add(
        options.linkRules ?? Guard.defaultLinkRules,
        populationIncomplete
      )
    })
    const mismatch = seen.numberMismatches[0]
    switch (proposal._tag) {
      case "AlreadyLinked":
        return proposal.candidate.ehrPartnerId === undefined
          ? new Outcome.AlreadyLinked({ patientId })
          : new Outcome.AlreadyLinked({ patientId, ehrPartnerId: proposal.candidate.ehrPartnerId })
      case "NoCandidate":
        // A Hero record agreeing on everything but a verified NHS number is reported, not lost.
        return mismatch === undefined
          ? new Outcome.NoCandidate({ patientId })
          : Outcome.needsReview(["NHS_NUMBER_MISMATCH", "ROUTE_TO_PCSE"], {
            kind: "merge",
            patientId,
            otherPatientId: mismatch.heroId,
            ...Outcome.scoreContext(Scoring.score(Scoring.fromV1(patient), Scoring.fromV2(mismatch), options.scoring))
          })
      case "NhsNumberMismatch":
        return Outcome.needsReview(["NHS_NUMBER_MISMATCH", "ROUTE_TO_PCSE"], {
          kind: "link",
          patientId,
          ehrPartnerId: proposal.candidate.ehrPartnerId,
          otherPatientId: proposal.candidate.heroId ?? mismatch?.heroId,
          ...Outcome.scoreContext(proposal.result)
        })
      case "NeedsReview":
        return Outcome.needsReview([proposal.reason], {
          kind: "candidates",
          patientId,
          candidateEhrPartnerIds: Selection.candidateIds(proposal.candidates),
          ...(proposal.candidates[0] === undefined ? {} : Outcome.scoreContext(proposal.candidates[0].result))
        })
      case "Proposed": {
        const owner = proposal.candidate.heroId
        if (owner !== undefined && owner !== patientId) {
          // The EHR record belongs to another Hero patient the population did not show as a
          // duplicate: compare the two Hero records themselves before merging anything.
          return yield* ownerOfCandidate(options, patient, owner, proposal, others)
        }
        const linked = yield* linkStep(options, patient, proposal)
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
  })

const populationIncomplete: Guard.LinkRule = Guard.fromLinkPredicate({
  code: "POPULATION_INCOMPLETE",
  description: "Too many Hero records share the date of birth to see them all",
  severity: "review",
  reason: "the Hero population around the patient could not be read whole",
  when: (ctx) => !Lookalike.isStrongIdentity(ctx.score.vector)
})

const ownerOfCandidate = (
  options: Options,
  patient: PatientV1,
  owner: PatientId,
  proposal: Selection.Proposed,
  others: ReadonlyArray<Lookalike.Seen>
) =>
  Effect.gen(function*() {
    const ownerRecord = yield* readPatient(owner)
    const item = {
      kind: "merge" as const,
      patientId: patient.id,
      otherPatientId: owner,
      ehrPartnerId: proposal.candidate.ehrPartnerId,
      ...Outcome.scoreContext(proposal.result)
    }
    if (ownerRecord === undefined || ownerRecord.status === "archived") {
      return Outcome.needsReview(["linked-to-another-patient"], item)
    }
    const pairScore = Scoring.scorePatients(patient, ownerRecord, options.scoring)
    if (pairScore.grade !== "match" && pairScore.vector.nhsNumber !== "exact") {
      return Outcome.needsReview(["linked-to-another-patient"], { ...item, ...Outcome.scoreContext(pairScore) })
    }
    const choice = Survivor.choose(
      [Survivor.contender(patient.id, patient), Survivor.contender(owner, ownerRecord)],
      options.survivorRules
    )
    if (choice.survivor.id !== owner) {
      // This patient holds another EHR link (or wins on the rules) while the EHR record it matches
      // is linked to the other: two GP records for one person, or a wrong link — a person decides.
      return Outcome.needsReview(["linked-to-another-patient", "BOTH_LINKED"], item)
    }
    return yield* mergeStep(options, patient.id, {
      main: owner,
      incoming: patient.id,
      ehrPartnerId: proposal.candidate.ehrPartnerId,
      others,
      incomingRecord: patient
    })
  })
