/**
 * The pipeline for one patient as a durable workflow of `@effect/workflow`: the same code as
 * `Pipeline.processPatient` (`Pipeline.steps`), with the `Durable` seam implemented by one
 * `Activity` per Hero call, approver decision, preview and write. The engine's storage (see
 * `DurableEngine`) keeps every answer; after a crash the engine drives the unfinished executions
 * again and each replays what already happened instead of asking or writing again.
 *
 * - **Keyed by run and patient** (`<runId>/<patientId>`): executing the same pair again returns
 *   the stored outcome without a request; a new run id processes the patient again.
 * - **Writes at most once.** Activities run at least once: the one in flight at a crash runs
 *   again. Before sending, a connect or merge claims its key in `WriteAttempts`; a re-execution
 *   finds the claim, reads the records and verifies (`Verify.link`, `Verify.merge`), and writes
 *   only if the write had not applied.
 * - **Merge tokens are never stored.** The preview's activity keeps the records; its token stays
 *   in this process's memory. A merge whose token is gone (a crash, another runner) or older
 *   than `tokenMaxAge`, or refused as expired or stale, previews again and merges only if the new
 *   preview shows the records that were approved (else `NeedsReview` `merge-preview-changed`).
 * - **A person is asked once**: each approver decision is an activity.
 * - **Reviews resume the work.** With a `ReviewQueue` in context (and `ReviewQueue.approver`),
 *   a patient whose link or merge waits on a person suspends on a `DurableDeferred`; once the
 *   item is decided (`ReviewQueue.layerResumer` wakes it), the pipeline runs again from fresh
 *   reads: an approval of the same records writes (once, verified), a rejection refuses, changed
 *   records propose a new item and wait again.
 *
 * The engine's storage holds the patient records the pipeline read (as the API returned them):
 * protect it as the patient data it is, and purge completed runs.
 *
 * @since 0.2.0
 */
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import { HeroHealthClient } from "@hero-effect/client/HeroHealthClient"
import { type PatientId, ReceivedPatientId } from "@hero-effect/schema/Ids"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Approver from "./Approver.js"
import * as Batch from "./Batch.js"
import * as Durable from "./Durable.js"
import * as internal from "./internal/activities.js"
import * as suspended from "./internal/suspended.js"
import * as Outcome from "./Outcome.js"
import type * as PatientLease from "./PatientLease.js"
import * as Pipeline from "./Pipeline.js"
import * as PopulationCache from "./PopulationCache.js"
import * as ReviewQueue from "./ReviewQueue.js"
import * as RunLedger from "./RunLedger.js"
import * as WriteAttempts from "./WriteAttempts.js"

/**
 * The workflow: payload `{ runId, patientId }`, success an `Outcome`, never a failure (failures
 * are `Outcome.Failed`), keyed by run and patient.
 *
 * @since 0.2.0
 * @category workflows
 */
export const ProcessPatient = Workflow.make({
  name: "hero-effect/ProcessPatient",
  payload: { runId: Schema.String, patientId: ReceivedPatientId },
  success: Outcome.Outcome,
  error: Schema.Never,
  // Not the patient alone: a later run must not return an earlier run's result.
  idempotencyKey: ({ patientId, runId }) => `${runId}/${patientId}`,
  // Tells `runDurable` when an execution waits for a person (it gives its batch slot back).
  suspendedRetrySchedule: suspended.suspendedRetrySchedule
})

/**
 * How the workflow decides: the pipeline's options but the run id (each execution's payload
 * names its run), and how old a merge token may be before the merge previews again.
 *
 * Keep them the same across restarts of one run: a replay that decided differently from the
 * stored answers would ask for other activities.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Omit<Pipeline.Options, "runId"> {
  /** A preview's token older than this is not used: the merge previews again (default 10 minutes). */
  readonly tokenMaxAge?: Duration.DurationInput | undefined
  /**
   * What an execution does when its outcome waits on a person's review (a `NeedsReview` with a
   * `ReviewQueue` item, from `ReviewQueue.approver`): `"end"` (default) ends with the
   * `NeedsReview` outcome and its item's id (a later run finds the decision); `"wait"` (with a
   * `ReviewQueue` in context) suspends the execution on a `DurableDeferred` until the item
   * closes, then processes the patient again — so `runDurable` returns only once every item its
   * patients wait on is decided. With `"wait"` the layer also runs the queue's resumer (see
   * `ReviewQueue.layerResumer`), which wakes executions whose items were decided anywhere.
   *
   * `"end"` is the default because a batch that waits needs a person to answer before it returns:
   * choose `"wait"` where the process stays up (a server, a worker) and people review meanwhile.
   *
   * A waiting execution does not hold one of `runDurable`'s concurrency slots: the patients who
   * need no review all finish while others wait. On a durable engine the wait survives the
   * process: after a restart on the same storage (and the queue in it, `ReviewQueue.layerSql`),
   * the resumer wakes the executions whose items were decided meanwhile, and running the same
   * run id again returns once they have finished — each approved write applied once (journaled
   * and verified as any write), each rejected one never. Tested on `DurableEngine.layerMemory`
   * and `DurableEngine.layerSqlite` (test/ReviewWait.test.ts, test/ReviewWaitSqlite.test.ts);
   * `DurablePostgres.layer` runs the same engine code but this path is not tested there.
   *
   * A decided execution is seen by its `runDurable` at the caller's next poll (at most 10 s
   * later). The executions woken by decisions run their pipeline again outside the batch's
   * concurrency.
   */
  readonly reviews?: "wait" | "end" | undefined
}

/**
 * What the workflow's implementation needs (besides the engine).
 *
 * @since 0.2.0
 * @category models
 */
export type Requirements =
  | HeroHealthClient
  | PatientLease.PatientLease
  | Approver.Approver
  | WriteAttempts.WriteAttempts

// Runs kept with their population caches; an older run's cache goes first.
const cachedRuns = 8

/**
 * Registers the workflow's implementation with the engine: `Pipeline.steps` over the seam of
 * activities. One population cache per run (see `PopulationCache`), shared by that run's
 * executions in this process.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, WorkflowEngine | Requirements> =>
  options.reviews === "wait" ? Layer.merge(workflowLayer(options), waitingResumer()) : workflowLayer(options)

// Waiting executions need someone to complete their deferreds: the queue's resumer, when a queue
// is in context (without one nothing waits).
const waitingResumer = (): Layer.Layer<never, never, WorkflowEngine> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.serviceOption(ReviewQueue.ReviewQueue),
      (queue) =>
        Option.isNone(queue)
          ? Layer.empty
          : Layer.provide(ReviewQueue.layerResumer(), Layer.succeed(ReviewQueue.ReviewQueue, queue.value))
    )
  )

const workflowLayer = (options: Options): Layer.Layer<never, never, WorkflowEngine | Requirements> =>
  Layer.unwrapEffect(Effect.sync(() => {
    const tokens = internal.makeTokens()
    const caches = new Map<string, PopulationCache.Service>()
    const tokenMaxAgeMillis = Duration.toMillis(options.tokenMaxAge ?? "10 minutes")
    const cacheOf = (runId: string) =>
      Effect.map(PopulationCache.make(), (made) => {
        const known = caches.get(runId)
        if (known !== undefined) return known
        if (caches.size >= cachedRuns) caches.delete(caches.keys().next().value!)
        caches.set(runId, made)
        return made
      })
    return ProcessPatient.toLayer((payload, executionId) =>
      Effect.gen(function*() {
        const context = yield* Effect.context<WorkflowEngine | WorkflowInstance>()
        const seam = internal.make({
          executionId,
          context,
          client: yield* HeroHealthClient,
          attempts: yield* WriteAttempts.WriteAttempts,
          tokens,
          tokenMaxAgeMillis
        })
        const cache = options.populationCache === false ? undefined : yield* cacheOf(payload.runId)
        const steps = Pipeline.steps({ ...options, runId: payload.runId }, payload.patientId).pipe(
          Effect.provideService(Durable.Durable, seam),
          // The seam of activities records nothing outside the engine: no journal to fail.
          Effect.orDie
        )
        const run = cache === undefined ? steps : Effect.provideService(steps, PopulationCache.PopulationCache, cache)
        const queue = options.reviews === "wait" ? yield* Effect.serviceOption(ReviewQueue.ReviewQueue) : Option.none()
        // A person decides: wait until they have (the lease is not held meanwhile), then the whole
        // pipeline again — fresh reads, a fresh preview, the guard — which finds their decision.
        for (let waits = 1;; waits++) {
          const outcome = yield* run
          const reviewId = outcome._tag === "NeedsReview" ? outcome.reviewId : undefined
          if (Option.isNone(queue) || reviewId === undefined) return outcome
          if (!(yield* ReviewQueue.awaitDecision(queue.value, reviewId, waits))) return outcome
        }
      }).pipe(
        Effect.ensuring(Effect.sync(() => tokens.forget(executionId))),
        Effect.withSpan("ProcessPatient", {
          attributes: { "hero.patient_id": payload.patientId, "hero.run_id": payload.runId },
          captureStackTrace: false
        })
      )
    )
  }))

/**
 * Options of {@link runDurable}: the batch's own (the decisions' options are the workflow
 * layer's, see {@link layer}).
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions extends Batch.RunOptions {}

/**
 * Submits one `ProcessPatient` per patient of the stream (bounded concurrency, default 8) and
 * gathers their outcomes into a `Batch.Report`, with the same progress and outcome callbacks as
 * `Batch.run`. With a `RunLedger` in context (every `DurableEngine` layer has one), each
 * submission is recorded first, for retention by age (`DurableEngine.purgeOlderThan`). Run again
 * with the same `runId` (after a crash, say), it returns the stored outcomes of finished patients
 * without a request and lets the engine finish the others.
 *
 * The concurrency bounds the executions that are running: one that suspends to wait for a
 * person (`reviews: "wait"`) gives its slot to the next patient and is awaited apart, so the
 * patients who need no review all finish while others wait. Waiting executions are not bounded
 * (nor their new pass through the pipeline once decided), and the report keeps the stream's
 * order: the outcomes of patients after a waiting one are held until it is decided.
 *
 * @since 0.2.0
 * @category batch
 */
export const runDurable = <E, R>(
  patientIds: Stream.Stream<PatientId, E, R>,
  options: RunOptions
): Effect.Effect<Batch.Report, E, R | WorkflowEngine> =>
  Effect.gen(function*() {
    const ledger = yield* Effect.serviceOption(RunLedger.RunLedger)
    // The batch's concurrency counts executions that are running, not those waiting for a person:
    // a slot is taken before a patient starts and given back when its execution ends or suspends
    // (see `internal/suspended.ts`). The batch itself bounds nothing (`Batch.runWith` keeps the
    // stream's order: with a bounded window there, a patient waiting at its head would hold back
    // every patient after the window).
    const slots = yield* Effect.makeSemaphore(Math.max(1, options.concurrency ?? 8))
    const gated = Stream.mapEffect(patientIds, (patientId) => Effect.as(slots.take(1), patientId))
    return yield* Batch.runWith(gated, { ...options, concurrency: Number.POSITIVE_INFINITY }, (patientId) => {
      const execute = ProcessPatient.execute({ runId: options.runId, patientId })
      // Recorded before it is submitted: a crash in between leaves nothing retention cannot find.
      return suspended.releasingWhenSuspended(
        slots,
        ledger._tag === "None" ? execute : Effect.zipRight(ledger.value.submitted(options.runId, patientId), execute)
      )
    })
  })
