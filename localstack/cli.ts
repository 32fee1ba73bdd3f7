import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * The command-line contract every local command keeps: a mistake in how it was called (an unknown
 * flag, a missing value, a number that is not one, a name that does not exist) prints the message
 * and the command's usage on stderr and exits with 2, like `grep` or `psql`; anything else that goes
 * wrong prints one line and exits with 1. Never a stack trace: these are the first commands a
 * newcomer types.
 */
// The local bed runs on Node 20 on purpose (the functions' bundles target it); the SDK's 8-line
// notice that it wants Node 22 would bury each command's one-line answer. Read when a client is built.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommandSpec<T extends ParseArgsConfig> {
  /** The usage text, first line `usage: npm run …`. */
  usage: string;
  /** node:util parseArgs options and whether positionals are allowed; parsing is always strict. */
  args: T;
}

/** The node:util parseArgs result of a spec, always strict. */
export type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T & { strict: true }>>;

/** Parses argv strictly; `--help`/`-h` (added to every command) prints the usage and exits 0, and any parse error becomes a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(
  spec: CommandSpec<T>,
  argv: string[] = process.argv.slice(2),
): Parsed<T> {
  const options = { ...spec.args.options, help: { type: "boolean", short: "h" } } as const;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ ...spec.args, options, args: argv, strict: true });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error));
  }
  if (parsed.values.help === true) {
    console.log(spec.usage);
    process.exit(0);
  }
  delete parsed.values.help;
  return parsed as Parsed<T>;
}

/**
 * node's own wording tells you to put an unknown option after `--`, which under `npm run … --`
 * means a second `--`: say only what is wrong instead.
 */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /'([^']+)'/.exec(message)?.[1];
    return `unknown option ${option ?? message}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const argument = /'([^']+)'/.exec(message)?.[1];
    return `unexpected argument ${argument ?? message}`;
  }
  // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: "Option '--ttl <value>' argument missing" and the like.
  return message.replace(/^Option/, "option");
}

/** A name that must be one of a known list (queues, steps): the error lists the real ones. */
export function oneOf<T extends string>(what: string, raw: string | undefined, known: readonly T[]): T {
  if (raw === undefined || raw === "") throw new UsageError(`a ${what} is required (one of: ${known.join(", ")})`);
  if (!(known as readonly string[]).includes(raw)) {
    throw new UsageError(`"${raw}" is not a ${what} (one of: ${known.join(", ")})`);
  }
  return raw as T;
}

/**
 * Runs a command's main and turns what it throws into the contract above. The exit code is set
 * before exiting so tests and shells see 2 for usage errors and 1 for everything else.
 */
export async function runCommand(usage: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
