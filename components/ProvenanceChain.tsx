import type { IngredientSummary, ManifestSummary } from '../lib/verdict';
import { actionWords } from '../lib/present';
import { quotedName, shownName } from '../lib/names';
import { describeCode } from '../lib/c2pa/codes';

/** The provenance chain as a readable history: this file, then what it was made from. */
export function ProvenanceChain({ manifest }: { manifest: ManifestSummary }) {
  return (
    <ol class="pl-chain">
      <ManifestStep manifest={manifest} heading="This file" />
    </ol>
  );
}

function ManifestStep({ manifest, heading }: { manifest: ManifestSummary; heading: string }) {
  return (
    <li>
      <p>
        <strong>{heading}</strong>
        {manifest.title ? <> {quotedName(manifest.title)}</> : null}
        {manifest.generator ? <> — made with {shownName(manifest.generator)}</> : null}
        {manifest.signer ? <>, signed by a certificate that names itself {quotedName(manifest.signer)}</> : null}
        {manifest.signedAt ? <> on {formatDate(manifest.signedAt)}</> : null}.
      </p>
      {manifest.actions.length ? (
        <ul class="pl-actions">
          {manifest.actions.map((a, i) => (
            <li key={i}>{capitalise(actionWords(a))}</li>
          ))}
        </ul>
      ) : null}
      {manifest.ingredients.length ? (
        <ol class="pl-chain">
          {manifest.ingredients.map((ing, i) => (
            <IngredientStep key={i} ingredient={ing} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

function IngredientStep({ ingredient }: { ingredient: IngredientSummary }) {
  const role = ingredient.relationship === 'parentOf' ? 'Made from' : ingredient.relationship === 'componentOf' ? 'Includes' : 'Used';
  const label = `${role} ${ingredient.title ? quotedName(ingredient.title) : 'an earlier file'}${ingredient.format ? ` (${ingredient.format})` : ''}`;
  const problems = ingredient.failures.filter((f) => f.code !== 'signingCredential.untrusted');
  const untrusted = ingredient.failures.some((f) => f.code === 'signingCredential.untrusted');
  if (ingredient.manifest) {
    return (
      <>
        <ManifestStep manifest={ingredient.manifest} heading={label} />
        {problems.length || untrusted ? (
          <li class="pl-note">
            {problems.map((p) => describeCode(p.code)).join('; ')}
            {untrusted ? `${problems.length ? '; ' : ''}its signer is not on a trust list` : ''}
          </li>
        ) : null}
      </>
    );
  }
  return (
    <li>
      <p>
        <strong>{label}</strong> — no Content Credentials of its own.
      </p>
    </li>
  );
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
