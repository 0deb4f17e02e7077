/**
 * @since 0.1.0
 */

/**
 * Fault injection: per operation, scripted (the n-th call) or random with a seed.
 *
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * The socket-free protocol of the sandbox core: requests, outcomes and error bodies.
 *
 * @since 0.1.0
 */
export * as Protocol from "./Protocol.js"

/**
 * The sandbox: one in-memory world and the core that answers Patients API requests over it.
 *
 * @since 0.1.0
 */
export * as Sandbox from "./Sandbox.js"

/**
 * Behaviour settings, API keys, rate limits.
 *
 * @since 0.1.0
 */
export * as SandboxConfig from "./SandboxConfig.js"

/**
 * The no-socket face: an `HttpClient` answered by the sandbox core.
 *
 * @since 0.1.0
 */
export * as SandboxHttpClient from "./SandboxHttpClient.js"

/**
 * The HTTP face: the sandbox served on a loopback port.
 *
 * @since 0.1.0
 */
export * as SandboxServer from "./SandboxServer.js"

/**
 * The seed file format: load exactly the world a test wants.
 *
 * @since 0.1.0
 */
export * as SeedFile from "./SeedFile.js"

/**
 * A deterministic generator of realistic synthetic worlds.
 *
 * @since 0.1.0
 */
export * as SeedGenerator from "./SeedGenerator.js"

/**
 * Records logs and spans, to assert nothing secret or personal leaks into telemetry.
 *
 * @since 0.1.0
 */
export * as TelemetryCapture from "./TelemetryCapture.js"

/**
 * Ground truth: who is who in a world, and the grade of a de-duplication run against it.
 *
 * @since 0.1.0
 */
export * as Truth from "./Truth.js"

/**
 * The world: patients, EHR records, links, the synthetic Spine, ground truth, live state.
 *
 * @since 0.1.0
 */
export * as World from "./World.js"

/**
 * A stand-in for Hero's webhook sender: signed deliveries with faults, to test receivers.
 *
 * @since 0.3.0
 */
export * as WebhookSender from "./WebhookSender.js"
