/**
 * Where a patient record came from, and where v2 reads it from.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { openEnum } from "./internal/openEnum.js"

/**
 * The documented record origins.
 *
 * @since 0.1.0
 * @category constants
 */
export const dataSources = ["hero", "emis", "pds", "gha", "systm_one"] as const

/**
 * A record origin on a request (`data_source` of Register a Patient).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DataSourceInput = Schema.Literal(...dataSources).annotations({ identifier: "DataSourceInput" })

/**
 * @since 0.1.0
 * @category models
 */
export type DataSourceInput = typeof DataSourceInput.Type

/**
 * A record origin on a response: a documented one, or a later value kept as unrecognised.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DataSource = openEnum("DataSource", dataSources)

/**
 * @since 0.1.0
 * @category models
 */
export type DataSource = typeof DataSource.Type

/**
 * The `data_source` query of Get a Patient (v2): read from Hero or from the EHR (a different list
 * from the record origins).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReadSource = Schema.Literal("hero", "ehr").annotations({ identifier: "ReadSource" })

/**
 * @since 0.1.0
 * @category models
 */
export type ReadSource = typeof ReadSource.Type
