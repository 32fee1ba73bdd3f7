import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { help, metaCommand } from "./db-commands.js";
import { hasStatement, splitStatements } from "./db-input.js";
import { renderResult } from "./db-result.js";
import { DataApiSession } from "./db-session.js";
import { parseCommandLine, runCommand, UsageError } from "./cli.js";
import { dataApiUrl, localDatabase } from "./env.js";

const usage = `usage: npm run db [-- -c <sql> | --psql]
  opens SQL on the local database through the Data API stand-in (PGlite or DATABASE_URL's PostgreSQL)
  -c, --command <sql>  runs the statement(s) and exits: 1 with the database's message if one fails
  --psql               opens psql on DATABASE_URL instead (a PostgreSQL server only: PGlite's files are the stand-in's)
interactive: end SQL with ; (it may span lines), \\dt lists tables, \\d <table> its columns, \\q quits`;

const commandLine = {
  usage,
  args: { options: { command: { type: "string", short: "c" }, psql: { type: "boolean", default: false } } },
} as const;

async function main(): Promise<void> {
  const { values } = parseCommandLine(commandLine);
  if (values.psql) return openPsql();
  await requireStandIn();
  const session = new DataApiSession({
    endpoint: dataApiUrl,
    resourceArn: localDatabase.DB_CLUSTER_ARN,
    secretArn: localDatabase.DB_SECRET_ARN,
    database: localDatabase.DB_NAME,
  });
  try {
    if (values.command !== undefined) {
      if (!(await runText(session, values.command, true))) process.exitCode = 1;
    } else {
      await interactive(session);
    }
  } finally {
    await session.close();
  }
}

/** The stand-in holds PGlite's files, so it is the one way in: say how to start it when it is not there. */
async function requireStandIn(): Promise<void> {
  const health = await fetch(`${dataApiUrl}/_health`, { signal: AbortSignal.timeout(3_000) })
    .then((response) => response.json() as Promise<{ backend?: string; available?: boolean }>)
    .catch(() => undefined);
  if (!health) {
    throw new Error(
      `The Data API stand-in does not answer on ${dataApiUrl}: start the local stack first (npm start, or npm run local:up)`,
    );
  }
  if (health.available === false) {
    console.error("warning: the database is marked unavailable (POST /_admin/availability); statements will fail");
  }
}

/**
 * Runs every complete statement (or one backslash command) in `text`; a missing final `;` is
 * forgiven when the text is all there is (-c). Answers whether everything succeeded.
 */
async function runText(session: DataApiSession, text: string, final: boolean): Promise<boolean> {
  if (text.trim().startsWith("\\")) return runMeta(session, text);
  const { statements, rest } = splitStatements(text);
  if (final && hasStatement(rest)) statements.push(rest.trim());
  for (const sql of statements) if (!(await runOne(session, sql))) return false;
  return true;
}

async function runOne(session: DataApiSession, sql: string): Promise<boolean> {
  try {
    console.log(renderResult(await session.execute(sql)));
    return true;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return false;
  }
}

async function runMeta(session: DataApiSession, line: string): Promise<boolean> {
  const meta = metaCommand(line);
  if (meta.kind === "help") console.log(help);
  if (meta.kind === "sql") return runOne(session, meta.sql);
  if (meta.kind === "unknown") {
    console.error(`unknown command ${meta.text}; \\? lists them`);
    return false;
  }
  return true;
}

/** psql's habits: a prompt per statement, `->` while a statement goes on, `*` inside a transaction. */
async function interactive(session: DataApiSession): Promise<void> {
  const terminal = Boolean(process.stdin.isTTY);
  if (terminal) console.error(`SQL on the local database via ${dataApiUrl}. \\? for help, \\q to quit.`);
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal });
  let buffer = "";
  let failed = false;
  const prompt = () => {
    const state = session.inTransaction ? "*" : "";
    lines.setPrompt(buffer ? `groundcrew${state}-> ` : `groundcrew${state}=> `);
    if (terminal) lines.prompt();
  };
  lines.on("SIGINT", () => {
    buffer = "";
    process.stdout.write("\n");
    prompt();
  });
  prompt();
  for await (const line of lines) {
    if (!buffer && line.trim().startsWith("\\")) {
      if (metaCommand(line).kind === "quit") break;
      if (!(await runMeta(session, line))) failed = true;
    } else {
      const { statements, rest } = splitStatements(`${buffer}${line}\n`);
      buffer = hasStatement(rest) ? rest : "";
      for (const sql of statements) if (!(await runOne(session, sql))) failed = true;
    }
    prompt();
  }
  lines.close();
  // Piped input (npm run db < file.sql) ends like psql -f: a last statement without `;` still runs.
  if (hasStatement(buffer) && !terminal && !(await runText(session, buffer, true))) failed = true;
  if (failed && !terminal) process.exitCode = 1;
}

function openPsql(): void {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new UsageError(
      "--psql needs DATABASE_URL: the local database is PGlite, which only the stand-in can open (use npm run db without --psql)",
    );
  }
  const result = spawnSync("psql", [url], { stdio: "inherit" });
  if (result.error) throw new Error(`could not start psql (${result.error.message}); npm run db works without it`);
  process.exitCode = result.status ?? 1;
}

await runCommand(usage, main);
