/** User settings (browser.storage.local "settings"), with defaults and clamping of stored values. */
import { DEFAULT_TRUST_SOURCES, type TrustSource } from './c2pa/trust';
import { DEFAULT_MAX_BYTES } from './media/fetch';

/**
 * What gets checked without being asked: `visible`, every video on screen or about to be;
 * `played`, only videos the user plays; `manual`, only when the user asks (badge or popup).
 */
export type CheckMode = 'visible' | 'played' | 'manual';
export const CHECK_MODES: readonly CheckMode[] = ['visible', 'played', 'manual'];

export interface Settings {
  checkMode: CheckMode;
  /** Largest video the extension downloads to check. */
  maxBytes: number;
  /** Checks running at once. */
  concurrency: number;
  /** Where the trust lists come from (addresses can be changed, e.g. for testing or a mirror). */
  trustSources: TrustSource[];
  /** Extra trust anchors the user added (PEM). */
  userAnchors: string;
  /** How often trust lists and subscribed lists are refreshed. */
  refreshHours: number;
  /** Compute frame fingerprints (needed for perceptual list matching). */
  fingerprint: boolean;
  /** Show badges on pages (the popup lists videos either way). */
  badges: boolean;
  /**
   * Fetch a video's remote Content Credentials from another host than the video's own. Off by
   * default: that host would learn which video you are watching (see PRIVACY.md).
   */
  remoteManifestsAnyHost: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  checkMode: 'visible',
  maxBytes: DEFAULT_MAX_BYTES,
  concurrency: 2,
  trustSources: DEFAULT_TRUST_SOURCES.map((s) => ({ ...s })),
  userAnchors: '',
  refreshHours: 24,
  fingerprint: true,
  badges: true,
  remoteManifestsAnyHost: false,
};

const clamp = (v: unknown, lo: number, hi: number, dflt: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : dflt;

export function sanitizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof Settings, unknown>>;
  const sources = Array.isArray(r.trustSources)
    ? DEFAULT_TRUST_SOURCES.map((d) => {
        const found = (r.trustSources as unknown[]).find((s): s is TrustSource => !!s && typeof s === 'object' && (s as TrustSource).id === d.id);
        const url = found && typeof found.url === 'string' && /^https?:\/\//.test(found.url) ? found.url : d.url;
        return { ...d, url };
      })
    : DEFAULT_SETTINGS.trustSources;
  return {
    checkMode: CHECK_MODES.includes(r.checkMode as CheckMode) ? (r.checkMode as CheckMode) : DEFAULT_SETTINGS.checkMode,
    maxBytes: clamp(r.maxBytes, 1024 * 1024, 4 * 1024 * 1024 * 1024, DEFAULT_SETTINGS.maxBytes),
    concurrency: clamp(r.concurrency, 1, 6, DEFAULT_SETTINGS.concurrency),
    trustSources: sources,
    userAnchors: typeof r.userAnchors === 'string' ? r.userAnchors.slice(0, 2 * 1024 * 1024) : '',
    refreshHours: clamp(r.refreshHours, 1, 24 * 30, DEFAULT_SETTINGS.refreshHours),
    fingerprint: typeof r.fingerprint === 'boolean' ? r.fingerprint : DEFAULT_SETTINGS.fingerprint,
    badges: typeof r.badges === 'boolean' ? r.badges : DEFAULT_SETTINGS.badges,
    remoteManifestsAnyHost: r.remoteManifestsAnyHost === true,
  };
}
