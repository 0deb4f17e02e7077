import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"

/**
 * A secondary index over a map's values: `keysOf` says under which bucket keys a value is found.
 * Buckets only ever grow (a superset): whoever looks up re-checks the current value.
 * @internal
 */
export interface IndexSpec<V> {
  readonly name: string
  readonly keysOf: (value: V) => ReadonlyArray<string>
}

interface Index<K, V> extends IndexSpec<V> {
  readonly buckets: Map<string, Set<K>>
}

// Shared by every version derived from one map: ordinals and index buckets only grow.
interface Lineage<K, V> {
  nextOrdinal: number
  readonly indexes: ReadonlyArray<Index<K, V>>
}

const addToIndexes = <K, V>(lineage: Lineage<K, V>, key: K, value: V) => {
  for (const index of lineage.indexes) {
    for (const bucketKey of index.keysOf(value)) {
      let bucket = index.buckets.get(bucketKey)
      if (bucket === undefined) {
        bucket = new Set()
        index.buckets.set(bucketKey, bucket)
      }
      bucket.add(key)
    }
  }
}

/**
 * An immutable map whose updates cost O(log n) instead of a full copy, so a world of 100,000
 * patients can take a write per request. It iterates in insertion order (an updated key keeps its
 * place), like the `Map` it replaces, and reads like a `ReadonlyMap`.
 * @internal
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  private materialised: Map<K, V> | undefined

  private constructor(
    private readonly entriesByKey: HashMap.HashMap<K, readonly [number, V]>,
    private readonly lineage: Lineage<K, V>
  ) {}

  /** A map of these entries, indexed by `indexes`. */
  static from<K, V>(
    entries: Iterable<readonly [K, V]>,
    indexes: ReadonlyArray<IndexSpec<V>> = []
  ): PersistentMap<K, V> {
    const lineage: Lineage<K, V> = {
      nextOrdinal: 0,
      indexes: indexes.map((spec) => ({ ...spec, buckets: new Map() }))
    }
    const built = HashMap.mutate(HashMap.empty<K, readonly [number, V]>(), (map) => {
      for (const [key, value] of entries) {
        const existing = HashMap.get(map, key)
        const ordinal = Option.isSome(existing) ? existing.value[0] : lineage.nextOrdinal++
        HashMap.set(map, key, [ordinal, value] as const)
        addToIndexes(lineage, key, value)
      }
    })
    return new PersistentMap(built, lineage)
  }

  /** This map with `key` set to `value`. */
  with(key: K, value: V): PersistentMap<K, V> {
    const existing = HashMap.get(this.entriesByKey, key)
    const ordinal = Option.isSome(existing) ? existing.value[0] : this.lineage.nextOrdinal++
    addToIndexes(this.lineage, key, value)
    return new PersistentMap(HashMap.set(this.entriesByKey, key, [ordinal, value] as const), this.lineage)
  }

  /**
   * The keys whose value may sit in `bucketKey` of index `name` (a superset: check the value), or
   * undefined if there is no such index.
   */
  lookup(name: string, bucketKey: string): ReadonlySet<K> | undefined {
    const index = this.lineage.indexes.find((i) => i.name === name)
    if (index === undefined) return undefined
    return index.buckets.get(bucketKey) ?? emptySet
  }

  /** These keys (those present) in the map's iteration order. */
  inOrder(keys: Iterable<K>): Array<K> {
    const present: Array<readonly [number, K]> = []
    for (const key of keys) {
      const found = HashMap.get(this.entriesByKey, key)
      if (Option.isSome(found)) present.push([found.value[0], key])
    }
    return present.sort((a, b) => a[0] - b[0]).map(([, key]) => key)
  }

  get size(): number {
    return HashMap.size(this.entriesByKey)
  }

  get(key: K): V | undefined {
    const found = HashMap.get(this.entriesByKey, key)
    return Option.isSome(found) ? found.value[1] : undefined
  }

  has(key: K): boolean {
    return HashMap.has(this.entriesByKey, key)
  }

  // Iteration is O(n) anyway: build an ordinary Map once per version and iterate that.
  private ordered(): Map<K, V> {
    if (this.materialised === undefined) {
      const all = Array.from(this.entriesByKey, ([key, [ordinal, value]]) => [ordinal, key, value] as const)
      all.sort((a, b) => a[0] - b[0])
      this.materialised = new Map(all.map(([, key, value]) => [key, value]))
    }
    return this.materialised
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.ordered().forEach((value, key) => callback.call(thisArg, value, key, this))
  }

  entries() {
    return this.ordered().entries()
  }

  keys() {
    return this.ordered().keys()
  }

  values() {
    return this.ordered().values()
  }

  [Symbol.iterator]() {
    return this.ordered()[Symbol.iterator]()
  }
}

const emptySet: ReadonlySet<never> = new Set()

/** `map` with `key` set to `value`, without copying a persistent map. @internal */
export const mapWith = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> =>
  (map instanceof PersistentMap ? map : PersistentMap.from(map)).with(key, value)
