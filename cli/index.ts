#!/usr/bin/env node
/**
 * Provenance Lens CLI: the same lib/ pipeline as the extension, in Node.
 * Each sub-command lives in cli/commands/<name>.ts and exports `run(args: string[]): Promise<number>`
 * (the exit code) and `usage: string`.
 */
interface CommandModule {
  run(args: string[]): Promise<number>;
  usage: string;
}
/** A static table (not a computed import path) so the bundler behind `npm run cli` sees every command. */
const LOAD: Record<string, () => Promise<CommandModule>> = {
  check: () => import('./commands/check'),
  pdq: () => import('./commands/pdq'),
  fingerprint: () => import('./commands/fingerprint'),
  list: () => import('./commands/list'),
};
const COMMANDS = Object.keys(LOAD);

export { UsageError } from "./args";
import { UsageError } from "./args";

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(LOAD, name)) {
    process.stderr.write(`provenance-lens: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  const mod = await LOAD[name]();
  try {
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as Error)?.name === 'UsageError') {
      process.stderr.write(`provenance-lens ${name}: ${(err as Error).message}\n\n${mod.usage}\n`);
      return 2;
    }
    process.stderr.write(`provenance-lens ${name}: ${(err as Error)?.message ?? err}\n`);
    return 1;
  }
}

async function usage(): Promise<string> {
  const lines = ['Usage: npm run cli -- <command> [options]', ''];
  for (const c of COMMANDS) {
    try {
      const mod = await LOAD[c]();
      lines.push(mod.usage);
    } catch {
      /* a command not built yet is simply not listed */
    }
  }
  return lines.join('\n') + '\n';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`provenance-lens: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
