/**
 * The trust lists the extension downloads (addresses from the settings), kept fresh by the
 * same updater as the hash lists (lib/lists/updater.ts) and combined into the TrustSettings
 * each validation uses. Until at least one anchor list is stored, there are no settings and
 * verdicts say signer trust is unknown.
 */
import { buildTrustSettings, validateTrustResource, type TrustSettings, type TrustSource } from '../c2pa/trust';
import type { Settings } from '../settings';
import type { ListStore } from '../lists/store';
import { platformFetch, updateStoredResource, type FetchLike } from '../lists/updater';

export interface TrustState {
  settings: TrustSettings | undefined;
  /** Changes whenever the anchors, allowed list, config or user anchors change. */
  version: string | null;
}

export interface TrustSourceStatus {
  source: TrustSource;
  loaded: boolean;
  lastSuccess?: string;
  lastAttempt?: string;
  lastError?: string;
  certificates?: number;
}

export const trustResourceId = (s: TrustSource) => `trust:${s.id}`;

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function storedText(store: ListStore, source: TrustSource): Promise<string | undefined> {
  const r = await store.getResource(trustResourceId(source));
  // A list downloaded from another address (the setting changed) no longer counts.
  return r && r.url === source.url ? text(r.bytes) : undefined;
}

export async function loadTrustState(store: ListStore, settings: Settings): Promise<TrustState> {
  // Read side by side: the service worker's first check waits for this when it starts.
  const texts = await Promise.all(settings.trustSources.map((source) => storedText(store, source)));
  const stored = settings.trustSources.flatMap((source, i) => (texts[i] ? [{ source, text: texts[i] }] : []));
  const ts = buildTrustSettings(stored, settings.userAnchors);
  return { settings: ts, version: ts ? await versionOf(ts) : null };
}

export async function refreshTrustLists(
  store: ListStore,
  settings: Settings,
  opts: { force?: boolean; fetch?: FetchLike; now?: () => Date } = {},
): Promise<TrustSourceStatus[]> {
  const now = (opts.now ?? (() => new Date()))();
  for (const source of settings.trustSources) {
    const id = trustResourceId(source);
    const status = await store.getStatus(id);
    const fresh =
      !opts.force && status?.url === source.url && status.lastSuccess && now.getTime() - Date.parse(status.lastSuccess) < settings.refreshHours * 3600_000;
    if (fresh) continue;
    await updateStoredResource(
      { store, fetch: opts.fetch ?? platformFetch, now: () => now },
      {
        id,
        url: source.url,
        kind: 'trust',
        validate: (bytes) => {
          const problem = validateTrustResource(source.role, text(bytes));
          if (problem) throw new Error(`refused: ${problem}`);
          return { certificates: (text(bytes).match(/-----BEGIN CERTIFICATE-----/g) ?? []).length };
        },
      },
    );
  }
  return trustStatus(store, settings);
}

export async function trustStatus(store: ListStore, settings: Settings): Promise<TrustSourceStatus[]> {
  return Promise.all(
    settings.trustSources.map(async (source) => {
      const id = trustResourceId(source);
      const [status, res] = await Promise.all([store.getStatus(id), store.getResource(id)]);
      const loaded = !!res && res.url === source.url;
      return {
        source,
        loaded,
        lastSuccess: status?.url === source.url ? status.lastSuccess : undefined,
        lastAttempt: status?.lastAttempt,
        lastError: status?.url === source.url ? status.lastError : undefined,
        certificates: loaded ? Number(res!.summary?.certificates ?? 0) : undefined,
      };
    }),
  );
}

async function versionOf(t: TrustSettings): Promise<string> {
  const bytes = new TextEncoder().encode([t.anchors, t.allowed ?? '', t.config ?? ''].join('\u0000'));
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
