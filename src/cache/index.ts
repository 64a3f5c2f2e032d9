/** The content-addressed cache: the engine's entry point is CacheStore. */
export { CacheStore, type LookupOptions, type LookupResult } from './store.js';
export type { CacheEntry, EntryMeta, EntryMetaInput, OutputMeta } from './meta.js';
export type { CacheListing, GcOptions, GcRemoval, GcResult } from './gc.js';
export type { LastRun } from './history.js';
export type { LockInfo, LockOptions } from './lock.js';
export type { VerifyMode } from './verify.js';
export { writeFileAtomic } from './atomic.js';
