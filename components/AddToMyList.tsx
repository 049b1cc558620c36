import { useState } from 'preact/hooks';

/** "Add to my list": keeps a checked video's hashes in the user's own list, with a label and a note. */
export function AddToMyList({ mediaKey, idPrefix }: { mediaKey: string; idPrefix: string }) {
  const [open, setOpen] = useState(false);
  const [label, setLabel] = useState('');
  const [notes, setNotes] = useState('');
  const [result, setResult] = useState<string | undefined>();
  if (!open)
    return (
      <button type="button" class="pl-add" onClick={() => setOpen(true)}>
        Add to my list…
      </button>
    );
  return (
    <form
      class="pl-addform"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!label.trim()) return setResult('Give it a label.');
        const r = (await browser.runtime.sendMessage({ type: 'user-list-add', key: mediaKey, label, notes })) as { ok: boolean; error?: string };
        setResult(r?.ok ? `Added “${label.trim()}” to My list.` : `Not added: ${r?.error ?? 'unknown error'}`);
        if (r?.ok) setOpen(false);
      }}
    >
      <label for={`${idPrefix}-label`}>Label</label>
      <input id={`${idPrefix}-label`} type="text" value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
      <label for={`${idPrefix}-notes`}>Note (what it is, where it came from)</label>
      <textarea id={`${idPrefix}-notes`} rows={2} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
      <div class="pl-row">
        <button type="submit">Add</button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {result ? <p role="status">{result}</p> : null}
    </form>
  );
}
