/**
 * A Map that keeps only its most recently written entries: the background's in-memory
 * verdicts stay bounded however long the service worker lives (older ones are read back
 * from the IndexedDB cache when asked for).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key); // re-insert: now the newest
    super.set(key, value);
    if (this.size > this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) super.delete(oldest.value);
    }
    return this;
  }
}
