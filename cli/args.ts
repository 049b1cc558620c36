/** A small, strict argument parser: unknown flags are usage errors, never ignored. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value; `repeat` ones collect into an array. */
  values?: string[];
  repeat?: string[];
  booleans?: string[];
}

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string>;
  lists: Record<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(args: string[], spec: FlagSpec): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: {}, lists: {}, flags: new Set() };
  const values = new Set(spec.values ?? []);
  const repeat = new Set(spec.repeat ?? []);
  const booleans = new Set(spec.booleans ?? []);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (!values.has(name) && !repeat.has(name)) throw new UsageError(`unknown option --${name}`);
    const v = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (repeat.has(name)) (out.lists[name] ??= []).push(v);
    else out.values[name] = v;
  }
  return out;
}
