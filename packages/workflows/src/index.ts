/**
 * @since 0.1.0
 */

/**
 * Explainable record-linkage scoring of two people.
 *
 * @since 0.1.0
 */
export * as Scoring from "./Scoring.js"

/**
 * Choosing the EHR candidate to link from scored candidates.
 *
 * @since 0.1.0
 */
export * as Selection from "./Selection.js"

/**
 * Field-by-field diff of a merge preview.
 *
 * @since 0.1.0
 */
export * as MergeDiff from "./MergeDiff.js"

/**
 * Merge safety rules as values.
 *
 * @since 0.1.0
 */
export * as Guard from "./Guard.js"

/**
 * Who approves a merge.
 *
 * @since 0.1.0
 */
export * as Approver from "./Approver.js"

/**
 * The steps of the pipeline.
 *
 * @since 0.1.0
 */
export * as Step from "./Step.js"

/**
 * What the pipeline did for one patient.
 *
 * @since 0.1.0
 */
export * as Outcome from "./Outcome.js"

/**
 * Leases on patients and pairs.
 *
 * @since 0.1.0
 */
export * as PatientLease from "./PatientLease.js"

/**
 * The population searches of one run, shared between patients asking the same question.
 *
 * @since 0.2.0
 */
export * as PopulationCache from "./PopulationCache.js"

/**
 * The write-ahead journal.
 *
 * @since 0.1.0
 */
export * as Journal from "./Journal.js"

/**
 * Reading the evidence after a write whose outcome is unknown.
 *
 * @since 0.1.0
 */
export * as Verify from "./Verify.js"

/**
 * The whole job for one patient.
 *
 * @since 0.1.0
 */
export * as Pipeline from "./Pipeline.js"

/**
 * The pipeline over many patients, with progress and a report.
 *
 * @since 0.1.0
 */
export * as Batch from "./Batch.js"

/**
 * Term frequencies for frequency-aware agreement: common names and crowded postcodes earn less.
 *
 * @since 0.1.0
 */
export * as Frequencies from "./Frequencies.js"

/**
 * Placeholder identities and sentinel values (Baby, Unknown, 1900-01-01, sex not known): never
 * automatic.
 *
 * @since 0.1.0
 */
export * as Placeholder from "./Placeholder.js"

/**
 * Look-alike evidence (twins, relatives, same-name neighbours) and strong identity: decisions
 * over the whole candidate set.
 *
 * @since 0.1.0
 */
export * as Lookalike from "./Lookalike.js"

/**
 * Which record stays in a merge: ordered, configurable, order-free rules.
 *
 * @since 0.1.0
 */
export * as Survivor from "./Survivor.js"

/**
 * The durability seam of the pipeline: every Hero call, decision and write that must not be
 * repeated, recorded in the journal or run as workflow activities.
 *
 * @since 0.2.0
 */
export * as Durable from "./Durable.js"

/**
 * Which write activities have started: a write's first execution told from a re-execution.
 *
 * @since 0.2.0
 */
export * as WriteAttempts from "./WriteAttempts.js"

/**
 * The pipeline for one patient as a durable workflow (`@effect/workflow`), keyed by run and
 * patient, with an activity per Hero call, decision and write.
 *
 * @since 0.2.0
 */
export * as ProcessPatient from "./ProcessPatient.js"

/**
 * When each execution of a durable run was first submitted: what retention by age reads
 * (`DurableEngine.purgeOlderThan`).
 *
 * @since 0.2.0
 */
export * as RunLedger from "./RunLedger.js"

/**
 * Where durable executions are kept: in memory or in a SQLite file.
 *
 * @since 0.2.0
 */
export * as DurableEngine from "./DurableEngine.js"

/**
 * The webhook receiver that starts a durable re-check of the patient, with its event store.
 *
 * @since 0.3.0
 */
export * as PatientRecheck from "./PatientRecheck.js"

/**
 * People in the loop: the queue of links and merges the rules send to a person, their decisions,
 * and the wake-up of the workflows waiting on them.
 *
 * @since 0.3.0
 */
export * as ReviewQueue from "./ReviewQueue.js"

/**
 * The review queue over HTTP (`@effect/platform` `HttpApi`): list, get, evidence and decide,
 * behind pluggable reviewer authentication, with a typed client from the same definition.
 *
 * @since 0.3.0
 */
export * as ReviewApi from "./ReviewApi.js"

/**
 * A server-rendered page for the people who decide the review queue: sign-in, the records side by
 * side, the rule codes in words, CSRF-protected decisions.
 *
 * @since 0.3.0
 */
export * as ReviewPage from "./ReviewPage.js"
