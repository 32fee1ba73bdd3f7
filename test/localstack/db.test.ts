import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScratchDatabase, type ScratchDatabase } from "../../localstack/scratch-database.js";
import { runLocalCommand, type CommandRun } from "../support/local-command.js";
import { testServerUrl } from "../support/local-database.js";

/** `npm run db`, exactly as the script runs it, pointed at a stand-in through GROUNDCREW_DATA_API_PORT. */
function db(port: number, args: string[], stdin = ""): Promise<CommandRun> {
  return runLocalCommand("db.ts", args, { env: { GROUNDCREW_DATA_API_PORT: String(port), DATABASE_URL: "" }, stdin });
}

// The shell goes through the stand-in, so it works the same whichever database backs it.
const backends = [
  { name: "PGlite", serverUrl: undefined },
  { name: "PostgreSQL", serverUrl: testServerUrl() },
].filter((backend) => backend.name === "PGlite" || backend.serverUrl);

describe.each(backends)("npm run db on a stand-in backed by $name", ({ serverUrl }) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await startScratchDatabase({ serverUrl });
    await scratch.db.query("CREATE TABLE pets (id int PRIMARY KEY, name text, born date)");
    await scratch.db.query("INSERT INTO pets VALUES (1, 'Rex', '2020-01-02'), (12, NULL, NULL)");
  });
  afterAll(() => scratch?.close());

  it("-c prints each statement's rows as an aligned table and exits 0", async () => {
    const run = await db(scratch.server.port, ["-c", "SELECT id, name, born FROM pets ORDER BY id; SELECT 'a;b' AS s"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      [
        " id | name |    born",
        "----+------+------------",
        "  1 | Rex  | 2020-01-02",
        " 12 | NULL | NULL",
        "(2 rows)",
        "  s",
        "-----",
        " a;b",
        "(1 row)",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(0);
  });

  it("-c exits 1 with the database's own message when the SQL fails, and runs nothing after it", async () => {
    const run = await db(scratch.server.port, ["-c", "SELECT * FROM no_such_table; SELECT 1"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ERROR: relation "no_such_table" does not exist; Position: 15; SQLState: 42P01\n$/);
    expect(run.stdout).toBe("");
  });

  it("reads statements over several lines until ;, lists tables with \\dt, keeps BEGIN … ROLLBACK apart, and quits on \\q", async () => {
    const script = [
      "\\dt",
      "BEGIN;",
      "UPDATE pets",
      "   SET name = 'Max';",
      "SELECT count(*) AS renamed FROM pets WHERE name = 'Max';",
      "ROLLBACK;",
      "SELECT count(*) AS renamed FROM pets WHERE name = 'Max';",
      "\\q",
      "SELECT 'never run';",
    ].join("\n");
    const run = await db(scratch.server.port, [], script);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(" public | pets | table\n");
    expect(run.stdout).toContain(
      "OK, 2 rows changed\n renamed\n---------\n       2\n(1 row)\nOK\n renamed\n---------\n       0\n",
    );
    expect(run.stdout).not.toContain("never run");
  });
});

describe("npm run db without a stand-in", () => {
  it("says how to start one, with exit code 1 and no stack trace", async () => {
    // Port 9 (discard) has nothing listening on loopback.
    const run = await db(9, ["-c", "SELECT 1"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "The Data API stand-in does not answer on http://127.0.0.1:9: start the local stack first (npm start, or npm run local:up)\n",
    );
  });
});
