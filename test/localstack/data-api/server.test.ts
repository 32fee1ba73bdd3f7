import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  type ExecuteStatementCommandInput,
} from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDataApiServer,
  type DataApiServer,
  type DataApiServerOptions,
} from "../../../localstack/data-api/server.js";
import { startRealPostgres, type RealPostgres } from "./real-postgres.js";

const target = {
  resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:local",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:local",
  database: "groundcrew",
};
const ending = { resourceArn: target.resourceArn, secretArn: target.secretArn };

// Both backends, always: the pool backend runs on TEST_DATABASE_URL or a throwaway cluster (real-postgres.ts).
const backends: { name: "pglite" | "postgres" }[] = [{ name: "pglite" }, { name: "postgres" }];

const clientFor = (server: DataApiServer) =>
  new RDSDataClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });

const settledWithin = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);

describe.each(backends)("Data API stand-in on $name, driven by the real RDSDataClient", ({ name }) => {
  let postgres: RealPostgres | undefined;
  let databaseUrl: string | undefined;
  let server: DataApiServer;
  let client: RDSDataClient;
  const execute = (sql: string, extra: Partial<ExecuteStatementCommandInput> = {}) =>
    client.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));
  const count = async (where: string) =>
    (await execute(`SELECT count(*) AS c FROM things WHERE ${where}`)).records?.[0]?.[0]?.longValue;

  beforeAll(async () => {
    if (name === "postgres") {
      postgres = await startRealPostgres();
      databaseUrl = postgres.url;
    }
    server = await startDataApiServer({ port: 0, databaseUrl, transactionIdleMs: 1_500 });
    client = clientFor(server);
    await execute("DROP TABLE IF EXISTS things");
    await execute("DROP TYPE IF EXISTS mood");
    await execute("CREATE TYPE mood AS ENUM ('calm', 'busy')");
    await execute(`CREATE TABLE things (
      id serial PRIMARY KEY, name text UNIQUE, n bigint, small smallint, f double precision, ok boolean,
      data jsonb, at timestamptz, local_at timestamp, day date, clock time, uid uuid, amount numeric(10,2),
      raw bytea, tags text[], counts int[], feeling mood)`);
  });
  afterAll(async () => {
    await server?.close();
    await postgres?.stop();
  });

  it("binds every parameter type and type hint, and answers each column with Aurora's Field member", async () => {
    const inserted = await execute(
      `INSERT INTO things (name, n, small, f, ok, data, at, local_at, day, clock, uid, amount, raw, tags, counts, feeling)
       VALUES (:name, :n, :small, :f, :ok, :data, :at, :at, :day, :clock, :uid, :amount, :raw, '{a,"b,c",NULL}', '{1,2}', 'busy')`,
      {
        parameters: [
          { name: "name", value: { stringValue: "it's :not_a_param" } },
          { name: "n", value: { longValue: 9_007_199_254 } },
          { name: "small", value: { isNull: true } },
          { name: "f", value: { doubleValue: 1.25 } },
          { name: "ok", value: { booleanValue: true } },
          { name: "data", value: { stringValue: '{"a":[1,2]}' }, typeHint: "JSON" },
          { name: "at", value: { stringValue: "2026-03-29 01:30:00.123" }, typeHint: "TIMESTAMP" },
          { name: "day", value: { stringValue: "2026-03-29" }, typeHint: "DATE" },
          { name: "clock", value: { stringValue: "23:59:58.5" }, typeHint: "TIME" },
          { name: "uid", value: { stringValue: "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01" }, typeHint: "UUID" },
          { name: "amount", value: { stringValue: "12.5" }, typeHint: "DECIMAL" },
          { name: "raw", value: { blobValue: new Uint8Array([1, 2, 255]) } },
        ],
      },
    );
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    expect(inserted.records).toBeUndefined();
    expect(inserted.generatedFields).toEqual([]);

    const selected = await execute(
      "SELECT name, n, small, f, ok, data, at, local_at, day, clock, uid, amount, tags, counts, feeling, id::text AS label, raw FROM things WHERE name = :name",
      { parameters: [{ name: "name", value: { stringValue: "it's :not_a_param" } }], includeResultMetadata: true },
    );
    expect(selected.numberOfRecordsUpdated).toBe(0);
    const [row] = selected.records ?? [];
    expect(row?.slice(0, 16)).toEqual([
      { stringValue: "it's :not_a_param" },
      { longValue: 9_007_199_254 },
      { isNull: true },
      { doubleValue: 1.25 },
      { booleanValue: true },
      { stringValue: '{"a": [1, 2]}' },
      { stringValue: "2026-03-29 01:30:00.123" },
      { stringValue: "2026-03-29 01:30:00.123" },
      { stringValue: "2026-03-29" },
      { stringValue: "23:59:58.5" },
      { stringValue: "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01" },
      { stringValue: "12.50" },
      { arrayValue: { stringValues: ["a", "b,c", null] } },
      { arrayValue: { longValues: [1, 2] } },
      { stringValue: "busy" },
      { stringValue: "1" },
    ]);
    // The SDK hands blobs back as bytes.
    expect(Array.from(row?.[16]?.blobValue ?? [])).toEqual([1, 2, 255]);
    expect(selected.columnMetadata?.map((c) => c.typeName)).toEqual([
      "text",
      "int8",
      "int2",
      "float8",
      "bool",
      "jsonb",
      "timestamptz",
      "timestamp",
      "date",
      "time",
      "uuid",
      "numeric",
      "_text",
      "_int4",
      "mood",
      "text",
      "bytea",
    ]);
    expect(selected.columnMetadata?.map((c) => c.type)).toEqual([
      12, -5, 5, 8, -7, 1111, 93, 93, 91, 92, 1111, 2, 2003, 2003, 1111, 12, -2,
    ]);
    expect(selected.columnMetadata?.[15]).toMatchObject({ name: "label", label: "label", arrayBaseColumnType: 0 });
    // As observed on AWS for a text[] table column (koxudaxi/local-data-api#128).
    expect(selected.columnMetadata?.[12]).toMatchObject({
      arrayBaseColumnType: 0,
      isCaseSensitive: true,
      precision: 2147483647,
      schemaName: "",
    });
    expect(selected.columnMetadata?.[11]).toMatchObject({ typeName: "numeric", precision: 10, scale: 2 });
    expect(selected.columnMetadata?.[0]).toMatchObject({ tableName: "things", nullable: 1 });
    expect(selected.columnMetadata?.[15]).toMatchObject({ tableName: "", nullable: 1 });
    const ids = await execute("SELECT id, name FROM things LIMIT 1", { includeResultMetadata: true });
    expect(ids.columnMetadata?.[0]).toMatchObject({
      typeName: "serial",
      isAutoIncrement: true,
      nullable: 0,
      tableName: "things",
      type: 4,
    });
  });

  it("returns literal casts, resultSetOptions and JSON-formatted records", async () => {
    const typed = await execute("SELECT '5'::int AS five, 12.5::numeric AS half, 7::numeric AS whole, 3::int8 AS big", {
      resultSetOptions: { decimalReturnType: "DOUBLE_OR_LONG", longReturnType: "STRING" },
    });
    expect(typed.records?.[0]).toEqual([
      { stringValue: "5" },
      { doubleValue: 12.5 },
      { longValue: 7 },
      { stringValue: "3" },
    ]);
    const formatted = await execute(
      "SELECT 1 AS one, 'x' AS two, NULL::text AS three, ARRAY[1,2] AS four, true AS five, '{\"a\":1}'::jsonb AS six",
      {
        formatRecordsAs: "JSON",
        includeResultMetadata: true,
      },
    );
    expect(formatted.records).toBeUndefined();
    expect(formatted.columnMetadata).toBeUndefined();
    expect(JSON.parse(formatted.formattedRecords ?? "")).toEqual([
      { one: 1, two: "x", three: null, four: [1, 2], five: true, six: '{"a": 1}' },
    ]);
  });

  it("runs BatchExecuteStatement once per parameter set, as one unit outside a transaction", async () => {
    const sql = "INSERT INTO things (name, n) VALUES (:name, :n)";
    const set = (value: string, n: number) => [
      { name: "name", value: { stringValue: value } },
      { name: "n", value: { longValue: n } },
    ];
    const result = await client.send(
      new BatchExecuteStatementCommand({ ...target, sql, parameterSets: [set("b1", 1), set("b2", 2)] }),
    );
    expect(result.updateResults).toEqual([{ generatedFields: [] }, { generatedFields: [] }]);
    expect(await count("name LIKE 'b%'")).toBe(2);
    await expect(
      client.send(new BatchExecuteStatementCommand({ ...target, sql, parameterSets: [set("b3", 3), set("b1", 4)] })),
    ).rejects.toMatchObject({
      name: "DatabaseErrorException",
    });
    expect(await count("name = 'b3'")).toBe(0);
  });

  it("commits and rolls back transactions", async () => {
    const { transactionId: committed } = await client.send(new BeginTransactionCommand(target));
    expect(committed).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    await execute("INSERT INTO things (name) VALUES ('tx-commit')", { transactionId: committed });
    expect(
      (await execute("SELECT count(*) FROM things WHERE name = 'tx-commit'", { transactionId: committed }))
        .records?.[0]?.[0],
    ).toEqual({ longValue: 1 });
    const done = await client.send(new CommitTransactionCommand({ ...ending, transactionId: committed }));
    expect(done.transactionStatus).toBe("Transaction Committed");
    expect(await count("name = 'tx-commit'")).toBe(1);

    const { transactionId: rolledBack } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO things (name) VALUES ('tx-rollback')", { transactionId: rolledBack });
    const status = await client.send(new RollbackTransactionCommand({ ...ending, transactionId: rolledBack }));
    expect(status.transactionStatus).toBe("Rollback Complete");
    expect(await count("name = 'tx-rollback'")).toBe(0);
    await expect(
      client.send(new CommitTransactionCommand({ ...ending, transactionId: rolledBack })),
    ).rejects.toMatchObject({
      name: "TransactionNotFoundException",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it(
    name === "pglite"
      ? "makes statements outside an open transaction wait for it (PGlite has one connection)"
      : "keeps an open transaction's writes from statements outside it",
    async () => {
      const { transactionId } = await client.send(new BeginTransactionCommand(target));
      await execute("INSERT INTO things (name) VALUES ('tx-isolated')", { transactionId });
      const outside = count("name = 'tx-isolated'");
      if (name === "pglite") {
        expect(await settledWithin(outside, 300)).toBe(false);
        await client.send(new CommitTransactionCommand({ ...ending, transactionId }));
        expect(await outside).toBe(1);
      } else {
        expect(await outside).toBe(0);
        await client.send(new CommitTransactionCommand({ ...ending, transactionId }));
        expect(await count("name = 'tx-isolated'")).toBe(1);
      }
    },
  );

  it("rolls back a transaction abandoned past the idle timeout", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO things (name) VALUES ('abandoned')", { transactionId });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await expect(execute("SELECT 1", { transactionId })).rejects.toMatchObject({
      name: "TransactionNotFoundException",
    });
    expect(await count("name = 'abandoned'")).toBe(0);
  });

  it("raises AWS-shaped errors the SDK maps to its exception classes", async () => {
    await expect(execute("INSERT INTO things (name) VALUES ('b1')")).rejects.toMatchObject({
      name: "DatabaseErrorException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: 'ERROR: duplicate key value violates unique constraint "things_name_key"; SQLState: 23505',
    });
    await expect(execute("SELECT * FROM nowhere")).rejects.toMatchObject({
      name: "DatabaseErrorException",
      message: 'ERROR: relation "nowhere" does not exist; Position: 15; SQLState: 42P01',
    });
    await expect(execute("SELECT 1 = 'a'::text")).rejects.toMatchObject({
      name: "DatabaseErrorException",
      message:
        "ERROR: operator does not exist: integer = text; Hint: No operator matches the given name and argument types. You might need to add explicit type casts.; Position: 10; SQLState: 42883",
    });
    await expect(execute("SELECT :missing")).rejects.toMatchObject({
      name: "BadRequestException",
      message: "No value specified for parameter: missing",
    });
    await expect(execute("SELECT 1; SELECT 2")).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
      message: "Multistatements aren't supported.",
    });
    await expect(execute("SELECT 1", { schema: "public" })).rejects.toMatchObject({
      name: "ValidationException",
      message: "The schema parameter isn't supported",
    });
    await expect(
      execute("SELECT :ids", { parameters: [{ name: "ids", value: { arrayValue: { longValues: [1] } } }] }),
    ).rejects.toMatchObject({
      name: "BadRequestException",
      message: "Array parameters are not supported.",
    });
    await expect(execute("SELECT ARRAY[[1,2],[3,4]]")).rejects.toMatchObject({ name: "UnsupportedResultException" });
    await expect(execute("SELECT 1", { transactionId: "nope" })).rejects.toMatchObject({
      name: "TransactionNotFoundException",
      message: "Transaction nope is not found",
    });
    await expect(
      client.send(new RollbackTransactionCommand({ ...ending, transactionId: "nope" })),
    ).rejects.toMatchObject({ name: "TransactionNotFoundException" });
    await expect(
      client.send(new ExecuteStatementCommand({ resourceArn: target.resourceArn, secretArn: "", sql: "SELECT 1" })),
    ).rejects.toMatchObject({
      name: "BadRequestException",
      message: "secretArn is required",
    });
    await expect(execute("SELECT repeat('x', 600000) FROM generate_series(1, 2)")).rejects.toMatchObject({
      name: "UnsupportedResultException",
      message: "The result exceeds the size limit 1 MB",
    });
    expect((await execute("SELECT repeat('x', 1000000)")).records?.[0]?.[0]?.stringValue).toHaveLength(1_000_000);
  });

  it("answers arrays, special floats, big integers and numerics as Aurora does", async () => {
    const result = await execute(
      `SELECT ARRAY[1.5, NULL, 2]::numeric[] AS nums, ARRAY['5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01']::uuid[] AS ids,
              ARRAY['2026-01-02']::date[] AS days, ARRAY['2026-01-02 03:04:05+02']::timestamptz[] AS instants,
              ARRAY['{"a":1}']::jsonb[] AS docs, ARRAY[true, NULL] AS flags, ARRAY[9223372036854775807]::int8[] AS bigs,
              'NaN'::float8 AS nan, 'Infinity'::float8 AS inf, '-Infinity'::float4 AS ninf, 'NaN'::numeric AS nnum,
              9223372036854775807::int8 AS big, 123.4500::numeric AS dec, '2026-01-02 03:04:05.5+02'::timestamptz AS at,
              '10:11:12.5'::time AS clock, '\\x00ff'::bytea AS raw, ARRAY[1.5, 'NaN']::float8[] AS floats`,
      { includeResultMetadata: true },
    );
    const [row] = result.records ?? [];
    expect(row?.slice(0, 7)).toEqual([
      { arrayValue: { stringValues: ["1.5", null, "2"] } },
      { arrayValue: { stringValues: ["5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01"] } },
      { arrayValue: { stringValues: ["2026-01-02"] } },
      { arrayValue: { stringValues: ["2026-01-02 01:04:05"] } },
      { arrayValue: { stringValues: ['{"a": 1}'] } },
      { arrayValue: { booleanValues: [true, null] } },
      // The service's JSON carries every digit; the SDK's JSON.parse rounds it, as it does against AWS.
      // eslint-disable-next-line no-loss-of-precision -- the rounding is the point: it is what the SDK does to the wire value
      { arrayValue: { longValues: [9223372036854775807] } },
    ]);
    expect(row?.[7]?.doubleValue).toBeNaN();
    expect(row?.slice(8, 16)).toEqual([
      { doubleValue: Infinity },
      { doubleValue: -Infinity },
      { stringValue: "NaN" },
      // eslint-disable-next-line no-loss-of-precision -- as above
      { longValue: 9223372036854775807 },
      { stringValue: "123.4500" },
      { stringValue: "2026-01-02 01:04:05.5" },
      { stringValue: "10:11:12.5" },
      { blobValue: new Uint8Array([0, 255]) },
    ]);
    expect(row?.[16]?.arrayValue?.doubleValues?.[0]).toBe(1.5);
    expect(row?.[16]?.arrayValue?.doubleValues?.[1]).toBeNaN();
    expect(result.columnMetadata?.map((c) => c.typeName)).toEqual([
      "_numeric",
      "_uuid",
      "_date",
      "_timestamptz",
      "_jsonb",
      "_bool",
      "_int8",
      "float8",
      "float8",
      "float4",
      "numeric",
      "int8",
      "numeric",
      "timestamptz",
      "time",
      "bytea",
      "_float8",
    ]);
    const raw = await fetch(`${server.url}/Execute`, {
      method: "POST",
      body: JSON.stringify({ ...target, sql: "SELECT 9223372036854775807::int8, 'NaN'::float8" }),
    });
    expect(await raw.text()).toContain('"records":[[{"longValue":9223372036854775807},{"doubleValue":"NaN"}]]');
  });

  it("refuses result types the service does not return, and infinite timestamps", async () => {
    for (const [sql, type] of [
      ["SELECT interval '1 day'", "interval"],
      ["SELECT 1::money", "money"],
      ["SELECT 'a'::\"char\"", "char"],
      ["SELECT ROW(1, 2)", "record"],
      ["SELECT ARRAY[interval '1 day']", "_interval"],
    ]) {
      await expect(execute(sql as string)).rejects.toMatchObject({
        name: "UnsupportedResultException",
        message: `The result contains the unsupported data type ${type}`,
      });
    }
    await expect(execute("SELECT 'infinity'::timestamptz")).rejects.toMatchObject({
      name: "InternalFailure",
      $metadata: { httpStatusCode: 500 },
    });
    expect((await execute("SELECT pg_advisory_xact_lock(1)")).records).toEqual([[{ stringValue: "" }]]);
  });

  it("refuses type-hinted values in other formats than the documented ones", async () => {
    const hinted = (typeHint: "TIMESTAMP" | "DATE" | "TIME" | "UUID" | "DECIMAL" | "JSON", stringValue: string) =>
      execute("SELECT :v", { parameters: [{ name: "v", typeHint, value: { stringValue } }] });
    for (const [hint, value] of [
      ["TIMESTAMP", "2026-01-02T03:04:05"],
      ["TIMESTAMP", "2026-01-02 03:04:05+02"],
      ["TIMESTAMP", "2026-01-02 03:04:05.123Z"],
      ["DATE", "2026-02-30"],
      ["TIME", "25:00:00"],
      ["UUID", "not-a-uuid"],
      ["DECIMAL", "1,5"],
      ["JSON", "{nope"],
    ] as const) {
      await expect(hinted(hint, value), `${hint} ${value}`).rejects.toMatchObject({
        name: "BadRequestException",
        message: expect.stringContaining(`Invalid ${hint} value for parameter v`),
      });
    }
    expect((await hinted("TIMESTAMP", "2026-01-02 03:04:05.123")).records).toEqual([
      [{ stringValue: "2026-01-02 03:04:05.123" }],
    ]);
  });

  it("fails every call with DatabaseUnavailableException (504) while taken down, and counts calls", async () => {
    server.resetStats();
    server.setAvailable(false);
    await expect(execute("SELECT 1")).rejects.toMatchObject({
      name: "DatabaseUnavailableException",
      $fault: "server",
      $metadata: { httpStatusCode: 504 },
    });
    await expect(client.send(new BeginTransactionCommand(target))).rejects.toMatchObject({
      name: "DatabaseUnavailableException",
    });
    server.setAvailable(true);
    expect((await execute("SELECT 1")).records).toEqual([[{ longValue: 1 }]]);
    expect(server.stats()).toEqual({ requests: 3, byOperation: { Execute: 2, BeginTransaction: 1 } });
  });

  it("offers health, availability and stats over HTTP for tests and fault drills", async () => {
    expect(await (await fetch(`${server.url}/_health`)).json()).toMatchObject({ status: "ok", backend: name });
    await fetch(`${server.url}/_admin/stats/reset`, { method: "POST" });
    const down = await fetch(`${server.url}/_admin/availability`, {
      method: "POST",
      body: JSON.stringify({ available: false }),
    });
    expect(await down.json()).toEqual({ available: false });
    await expect(execute("SELECT 1")).rejects.toMatchObject({ name: "DatabaseUnavailableException" });
    await fetch(`${server.url}/_admin/availability`, { method: "POST", body: JSON.stringify({ available: true }) });
    await execute("SELECT 1");
    expect(await (await fetch(`${server.url}/_admin/stats`)).json()).toEqual({
      requests: 2,
      byOperation: { Execute: 2 },
    });
    const unknown = await fetch(`${server.url}/ExecuteSql`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
  });

  it("runs VACUUM (ANALYZE) outside a transaction", async () => {
    const result = await execute("VACUUM (ANALYZE) things");
    expect(result.numberOfRecordsUpdated).toBe(0);
    expect(result.records).toBeUndefined();
  });

  describe("with Aurora's typing of unhinted strings and a short statement timeout", () => {
    let strict: DataApiServer;
    let strictClient: RDSDataClient;
    beforeAll(async () => {
      const options: DataApiServerOptions = { port: 0, databaseUrl, statementTimeoutMs: 400 };
      strict = await startDataApiServer(options);
      strictClient = clientFor(strict);
      // Each PGlite server is its own database; give this one the table too.
      if (name === "pglite")
        await strictClient.send(new ExecuteStatementCommand({ ...target, sql: "CREATE TABLE things (uid uuid)" }));
      await send("DROP TABLE IF EXISTS late");
      await send("CREATE TABLE late (name text)");
    });
    const send = (sql: string, extra: Partial<ExecuteStatementCommandInput> = {}) =>
      strictClient.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));
    afterAll(async () => {
      await strict?.close();
    });

    it("refuses a plain string where a uuid is compared, and accepts it with the UUID hint", async () => {
      const sql = "SELECT count(*) FROM things WHERE uid = :uid";
      const value = { stringValue: "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01" };
      await expect(
        strictClient.send(new ExecuteStatementCommand({ ...target, sql, parameters: [{ name: "uid", value }] })),
      ).rejects.toMatchObject({
        name: "DatabaseErrorException",
        message: expect.stringMatching(
          /^ERROR: operator does not exist: uuid = character varying; Hint: [^;]*; Position: \d+; SQLState: 42883$/,
        ),
      });
      const hinted = await strictClient.send(
        new ExecuteStatementCommand({ ...target, sql, parameters: [{ name: "uid", value, typeHint: "UUID" }] }),
      );
      expect(hinted.records?.[0]?.[0]?.longValue).toBe(name === "postgres" ? 1 : 0);
    });

    it("answers StatementTimeoutException for a statement past the limit", async () => {
      await expect(
        strictClient.send(new ExecuteStatementCommand({ ...target, sql: "SELECT pg_sleep(0.8)" })),
      ).rejects.toMatchObject({
        name: "StatementTimeoutException",
        $metadata: { httpStatusCode: 400 },
      });
      expect((await strictClient.send(new ExecuteStatementCommand({ ...target, sql: "SELECT 2" }))).records).toEqual([
        [{ longValue: 2 }],
      ]);
    });

    it(
      name === "postgres"
        ? "cancels a timed-out statement unless continueAfterTimeout"
        : "cannot cancel a timed-out statement on PGlite: it has already finished when the timeout is noticed",
      async () => {
        await send("DELETE FROM late");
        await expect(send("INSERT INTO late SELECT 'cancelled' FROM pg_sleep(0.8)")).rejects.toMatchObject({
          name: "StatementTimeoutException",
        });
        await expect(
          send("INSERT INTO late SELECT 'continued' FROM pg_sleep(0.8)", { continueAfterTimeout: true }),
        ).rejects.toMatchObject({
          name: "StatementTimeoutException",
        });
        await new Promise((resolve) => setTimeout(resolve, 800));
        const names = (await send("SELECT name FROM late ORDER BY name")).records?.map(
          (record) => record[0]?.stringValue,
        );
        expect(names).toEqual(name === "postgres" ? ["continued"] : ["cancelled", "continued"]);
      },
    );

    it(
      name === "pglite"
        ? "gives up on a statement queued behind a PGlite transaction past the limit, and never runs it"
        : "runs a statement beside an open transaction without queueing it",
      async () => {
        await send("DELETE FROM late");
        const { transactionId } = await strictClient.send(new BeginTransactionCommand(target));
        const outside = send("INSERT INTO late VALUES ('beside')");
        if (name === "pglite") await expect(outside).rejects.toMatchObject({ name: "StatementTimeoutException" });
        else await outside;
        await strictClient.send(new CommitTransactionCommand({ ...ending, transactionId }));
        expect((await send("SELECT count(*) FROM late")).records).toEqual([[{ longValue: name === "pglite" ? 0 : 1 }]]);
      },
    );
  });
});

describe("Data API stand-in on a real PostgreSQL server: concurrency and dropped connections", () => {
  let postgres: RealPostgres;
  let server: DataApiServer;
  let client: RDSDataClient;
  const execute = (sql: string, extra: Partial<ExecuteStatementCommandInput> = {}) =>
    client.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));
  const backendPid = async (transactionId?: string) =>
    (await execute("SELECT pg_backend_pid()", { transactionId })).records?.[0]?.[0]?.longValue;
  const terminate = async (pid: number | undefined) => {
    expect((await postgres.admin("SELECT pg_terminate_backend($1) AS done", [pid])).rows[0]).toEqual({ done: true });
    // Give node-postgres the moment it takes to notice the closed socket.
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  beforeAll(async () => {
    postgres = await startRealPostgres();
    server = await startDataApiServer({ port: 0, databaseUrl: postgres.url });
    client = clientFor(server);
  });
  afterAll(async () => {
    await server?.close();
    await postgres?.stop();
  });

  // PGlite runs a statement on the event loop's thread, so only the pool backend can be mid-statement when a second call arrives.
  it("refuses a second call in a transaction while one is running (Serverless v2)", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    const slow = execute("SELECT pg_sleep(0.3)", { transactionId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(execute("SELECT 1", { transactionId })).rejects.toMatchObject({
      name: "DatabaseErrorException",
      message: "Transaction is still running a query",
    });
    await slow;
    await client.send(new RollbackTransactionCommand({ ...ending, transactionId }));
  });

  it("keeps serving after an idle pooled connection is terminated", async () => {
    await terminate(await backendPid());
    expect((await execute("SELECT 1")).records).toEqual([[{ longValue: 1 }]]);
  });

  it("answers DatabaseUnavailableException for a transaction whose connection was terminated, and keeps serving", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await terminate(await backendPid(transactionId));
    await expect(execute("SELECT 1", { transactionId })).rejects.toMatchObject({
      name: "DatabaseUnavailableException",
    });
    await expect(client.send(new CommitTransactionCommand({ ...ending, transactionId }))).rejects.toMatchObject({
      name: "TransactionNotFoundException",
    });
    expect((await execute("SELECT 2")).records).toEqual([[{ longValue: 2 }]]);
  });

  it("answers DatabaseUnavailableException for a statement whose connection is terminated while it runs", async () => {
    // Settled into a value at once, so its rejection is never "unhandled" while the test waits.
    const running = execute("SELECT pg_sleep(5)").then(
      () => "resolved",
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { rows } = await postgres.admin("SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)'");
    await terminate(rows[0]?.pid as number | undefined);
    expect(await running).toMatchObject({ name: "DatabaseUnavailableException" });
    expect((await execute("SELECT 3")).records).toEqual([[{ longValue: 3 }]]);
  });
});

describe("main.ts", () => {
  it("prints its address once ready, serves /_health and exits cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "localstack/data-api/main.ts", "--port", "0"], {
      env: { ...process.env, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      let ready = "";
      for await (const line of lines) {
        if (line.startsWith("data-api listening on ")) {
          ready = line;
          break;
        }
      }
      const match = /^data-api listening on (http:\/\/127\.0\.0\.1:\d+) \(backend: pglite\)$/.exec(ready);
      expect(match).not.toBeNull();
      expect(await (await fetch(`${match?.[1]}/_health`)).json()).toEqual({
        status: "ok",
        backend: "pglite",
        available: true,
      });
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      expect((await exited)[0]).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
