/**
 * @since 0.1.0
 */

/**
 * The client service.
 *
 * @since 0.1.0
 */
export * as HeroHealthClient from "./HeroHealthClient.js"

/**
 * Where and as whom the client calls.
 *
 * @since 0.1.0
 */
export * as HeroHealthConfig from "./HeroHealthConfig.js"

/**
 * The client's typed failures.
 *
 * @since 0.1.0
 */
export * as HeroHealthError from "./HeroHealthError.js"

/**
 * Operations and their policies.
 *
 * @since 0.1.0
 */
export * as Operation from "./Operation.js"

/**
 * The rate limiter's store.
 *
 * @since 0.1.0
 */
export * as RateLimitStore from "./RateLimitStore.js"

/**
 * How requests reach the API: an `HttpClient` (the default) or your own transport.
 *
 * @since 0.1.0
 */
export * as HeroHealthTransport from "./HeroHealthTransport.js"

/**
 * A transport straight on undici, for the lowest overhead per call.
 *
 * @since 0.1.0
 */
export * as UndiciTransport from "./UndiciTransport.js"

/**
 * Receiving Hero's patient webhooks: signature, timestamp and body checks, dedupe, an HttpApp.
 *
 * @since 0.3.0
 */
export * as PatientWebhook from "./PatientWebhook.js"
