import type { Verdict } from '../lib/verdict';
import { LOOK, actionWords, basisWords, identityWords } from '../lib/present';
import { shownName, signerPhrase } from '../lib/names';
import { remoteWords } from '../lib/c2pa/remote';
import { describeCode } from '../lib/c2pa/codes';
import { describeSourceType } from '../lib/c2pa/ai';
import { HeadlineChip } from './HeadlineChip';
import { ProvenanceChain, formatDate } from './ProvenanceChain';

/** Everything the Verdict says, with the evidence behind it. Used by the badge panel, popup and options. */
export function VerdictCard({ verdict, headingLevel = 3 }: { verdict: Verdict; headingLevel?: 2 | 3 | 4 }) {
  const H = `h${headingLevel}` as 'h3';
  const c = verdict.c2pa;
  const look = LOOK[verdict.headline];
  return (
    <section class="pl-card" aria-label={look.title}>
      <H class="pl-card-title">
        <HeadlineChip headline={verdict.headline} /> {look.title}
      </H>
      <p class="pl-summary">{verdict.summary}</p>
      {basisWords(verdict.basis) ? <p class="pl-basis">{basisWords(verdict.basis)}</p> : null}
      {c && c.state !== 'absent' ? (
        <dl class="pl-facts">
          <Fact name="Signed by" value={signerPhrase(c)} />
          {c.issuer ? <Fact name="Certificate issued by" value={shownName(c.issuer)} /> : null}
          <Fact
            name="Signer trust"
            value={c.trust === 'trusted' ? `found on ${c.trustList ?? 'a configured trust list'}` : c.trust === 'untrusted' ? 'not on any configured trust list' : 'unknown (trust lists not loaded yet)'}
          />
          {c.generator ? <Fact name="Made with" value={shownName(c.generator)} /> : null}
          {c.remote ? <Fact name="Credentials from" value={`${c.remote.host} (${c.remote.via === 'link-header' ? "named by the server's Link header" : 'named inside the file'})`} /> : null}
          {c.signedAt ? <Fact name="Signed" value={formatDate(c.signedAt)} /> : null}
          {c.digitalSourceTypes.length ? <Fact name="Source type" value={c.digitalSourceTypes.map((d) => describeSourceType(d).words).join('; ')} /> : null}
          {c.fragmented ? <Fact name="Checked" value="init segment and one fragment of a streamed video" /> : null}
          {c.error ? <Fact name="Problem" value={c.error} /> : null}
        </dl>
      ) : null}
      {c?.identities?.length ? (
        <>
          <p class="pl-sub">Identity of the creator (CAWG)</p>
          <ul class="pl-identities">
            {c.identities.map((id, i) => (
              <li key={i} data-state={id.state}>
                {identityWords(id)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c?.state === 'absent' && c.remote ? (
        <dl class="pl-facts">
          <Fact name="Credentials" value={remoteWords(c.remote)} />
          <Fact name="Stored at" value={c.remote.url} mono />
        </dl>
      ) : null}
      {c && c.actions.length ? (
        <>
          <p class="pl-sub">Actions</p>
          <ul class="pl-actions">
            {c.actions.map((a, i) => (
              <li key={i}>
                {actionWords(a)}
                {a.digitalSourceType ? <span class="pl-dst"> [{describeSourceType(a.digitalSourceType).term}]</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c && c.failures.length ? (
        <>
          <p class="pl-sub">Validation findings</p>
          <ul class="pl-codes">
            {c.failures.map((f, i) => (
              <li key={i}>
                {describeCode(f.code)} <code>{f.code}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c?.chain && (c.chain.ingredients.length || c.chain.actions.length) ? (
        <details class="pl-details">
          <summary>Provenance history</summary>
          <ProvenanceChain manifest={c.chain} />
        </details>
      ) : null}
      {c && c.codes.length ? (
        <details class="pl-details">
          <summary>All validation checks ({c.codes.length})</summary>
          <ul class="pl-codes">
            {[...new Set(c.codes)].map((code) => (
              <li key={code}>
                {describeCode(code)} <code>{code}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {verdict.matches.length ? (
        <>
          <p class="pl-sub">On your lists</p>
          <ul class="pl-matches">
            {verdict.matches.map((m, i) => (
              <li key={i}>
                <strong>{m.label}</strong> in “{m.listName}” —{' '}
                {m.kind === 'exact' ? 'exact copy (same bytes)' : `perceptual match: ${Math.round(m.queryPct ?? 0)}% of this video's frames, ${Math.round(m.targetPct ?? 0)}% of the listed video's`}
                {m.notes ? <p class="pl-notes">{m.notes}</p> : null}
                {m.source ? (
                  <p>
                    Source:{' '}
                    <a href={safeHref(m.source)} target="_blank" rel="noopener noreferrer">
                      {m.source}
                    </a>
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <dl class="pl-facts pl-meta">
        <Fact name="Address" value={verdict.source} mono />
        {verdict.sha256 ? <Fact name="SHA-256" value={verdict.sha256} mono /> : null}
        <Fact name="Fingerprint" value={fingerprintWords(verdict)} />
      </dl>
    </section>
  );
}

function Fact({ name, value, mono }: { name: string; value: string; mono?: boolean }) {
  return (
    <>
      <dt>{name}</dt>
      <dd class={mono ? 'pl-mono' : undefined} title={mono ? value : undefined}>
        {value}
      </dd>
    </>
  );
}

function fingerprintWords(v: Verdict): string {
  switch (v.fingerprint) {
    case 'done':
      return `${v.frames?.length ?? 0} frames hashed`;
    case 'pending':
      return 'hashing frames…';
    case 'unavailable':
      return v.fingerprintNote ?? 'not available';
    default:
      return 'not computed';
  }
}

/** Only http(s) links from list entries become clickable. */
function safeHref(u: string): string | undefined {
  return /^https?:\/\//i.test(u) ? u : undefined;
}
