/**
 * The trust lists the extension downloads (addresses from the settings), kept fresh and
 * combined into the TrustSettings each validation uses. Until at least one anchor list is
 * stored, there are no settings and verdicts say signer trust is unknown.
 */
import { buildTrustSettings, validateTrustResource, type TrustSettings, type TrustSource } from '../c2pa/trust';
import { db, type StoredResource } from '../db';
import type { Settings } from '../settings';
import { updateStoredResource } from './resources';

export interface TrustState {
  settings: TrustSettings | undefined;
  /** Changes whenever the anchors, allowed list, config or user anchors change. */
  version: string | null;
}

export interface TrustSourceStatus {
  source: TrustSource;
  loaded: boolean;
  fetchedAt?: number;
  lastAttempt?: number;
  lastError?: string;
  certificates?: number;
}

const resourceId = (s: TrustSource) => `trust:${s.id}`;

export async function loadTrustState(settings: Settings): Promise<TrustState> {
  const d = await db();
  const stored: { source: TrustSource; text: string }[] = [];
  for (const source of settings.trustSources) {
    const r = await d.get('resources', resourceId(source));
    // A list downloaded from another address (the setting changed) no longer counts.
    if (r?.text && r.url === source.url) stored.push({ source, text: r.text });
  }
  const ts = buildTrustSettings(stored, settings.userAnchors);
  return { settings: ts, version: ts ? await versionOf(ts) : null };
}

export async function refreshTrustLists(settings: Settings, opts: { force?: boolean; fetchImpl?: typeof fetch; now?: number } = {}): Promise<TrustSourceStatus[]> {
  const out: TrustSourceStatus[] = [];
  for (const source of settings.trustSources) {
    const r = await updateStoredResource({
      id: resourceId(source),
      url: source.url,
      validate: (text) => validateTrustResource(source.role, text),
      maxAgeMs: opts.force ? 0 : settings.refreshHours * 3600_000,
      fetchImpl: opts.fetchImpl,
      now: opts.now,
    });
    out.push(statusOf(source, r));
  }
  return out;
}

export async function trustStatus(settings: Settings): Promise<TrustSourceStatus[]> {
  const d = await db();
  return Promise.all(settings.trustSources.map(async (s) => statusOf(s, await d.get('resources', resourceId(s)))));
}

function statusOf(source: TrustSource, r: StoredResource | undefined): TrustSourceStatus {
  const loaded = !!r?.text && r.url === source.url;
  return {
    source,
    loaded,
    fetchedAt: r?.fetchedAt,
    lastAttempt: r?.lastAttempt,
    lastError: r?.lastError,
    certificates: loaded ? (r!.text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0) : undefined,
  };
}

async function versionOf(t: TrustSettings): Promise<string> {
  const bytes = new TextEncoder().encode([t.anchors, t.allowed ?? '', t.config ?? ''].join('\u0000'));
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
