import { CacheService } from '@backstage/backend-plugin-api';

type Entry = { value: unknown; expiresAt: number; ttl: number };

/** An in-memory CacheService that honours numeric TTLs and tells what it was asked to keep. */
export class MemoryCache implements CacheService {
  readonly entries = new Map<string, Entry>();

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return structuredClone(entry.value) as T;
  }

  async set(
    key: string,
    value: Parameters<CacheService['set']>[1],
    options?: Parameters<CacheService['set']>[2],
  ): Promise<void> {
    const ttl = typeof options?.ttl === 'number' ? options.ttl : 60_000;
    this.entries.set(key, {
      value: structuredClone(value),
      ttl,
      expiresAt: Date.now() + ttl,
    });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  withOptions(): CacheService {
    return this;
  }

  /** The TTLs the cached answers were stored with. */
  ttls(): number[] {
    return [...this.entries.values()].map(e => e.ttl);
  }
}
