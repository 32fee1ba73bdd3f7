import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDataApiServer, type DataApiServer } from "../../../localstack/data-api/server.js";

const target = {
  resourceArn: "arn:aws:rds:us-east-1:000000000000:cluster:local",
  secretArn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:local",
  database: "groundcrew",
};

const backends = [{ name: "pglite", databaseUrl: undefined as string | undefined }];
if (process.env.DATABASE_URL) backends.push({ name: "postgres", databaseUrl: process.env.DATABASE_URL });

describe.each(backends)("Data API stand-in on $name, driven by the real RDSDataClient", ({ databaseUrl }) => {
  let server: DataApiServer;
  let client: RDSDataClient;
  const execute = (sql: string, extra: Record<string, unknown> = {}) => client.send(new ExecuteStatementCommand({ ...target, sql, ...extra }));

  beforeAll(async () => {
    server = await startDataApiServer({ port: 0, databaseUrl, transactionIdleMs: 2_000 });
    client = new RDSDataClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    await execute("DROP TABLE IF EXISTS things");
    await execute(`CREATE TABLE things (
      id serial PRIMARY KEY, name text UNIQUE, n bigint, f double precision, ok boolean, data jsonb,
      at timestamptz, uid uuid, amount numeric, raw bytea, tags text[])`);
  });
  afterAll(async () => {
    await server.close();
  });

  it("binds every parameter type and type hint, and returns AWS-shaped fields and metadata", async () => {
    const inserted = await execute(
      "INSERT INTO things (name, n, f, ok, data, at, uid, amount, raw) VALUES (:name, :n, :f, :ok, :data, :at, :uid, :amount, :raw)",
      {
        parameters: [
          { name: "name", value: { stringValue: "it's :not_a_param" } },
          { name: "n", value: { longValue: 9_007_199_254 } },
          { name: "f", value: { doubleValue: 1.25 } },
          { name: "ok", value: { booleanValue: true } },
          { name: "data", value: { stringValue: '{"a":[1,2]}' }, typeHint: "JSON" },
          { name: "at", value: { stringValue: "2026-03-29 01:30:00.123" }, typeHint: "TIMESTAMP" },
          { name: "uid", value: { stringValue: "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01" }, typeHint: "UUID" },
          { name: "amount", value: { stringValue: "12.50" }, typeHint: "DECIMAL" },
          { name: "raw", value: { blobValue: new Uint8Array([1, 2, 255]) } },
        ],
      },
    );
    expect(inserted.numberOfRecordsUpdated).toBe(1);
    const selected = await execute("SELECT name, n, f, ok, data, at, uid, amount, raw, tags, id::text AS label FROM things WHERE name = :name", {
      parameters: [{ name: "name", value: { stringValue: "it's :not_a_param" } }],
      includeResultMetadata: true,
    });
    const [row] = selected.records ?? [];
    expect(row?.slice(0, 8)).toEqual([
      { stringValue: "it's :not_a_param" },
      { longValue: 9_007_199_254 },
      { doubleValue: 1.25 },
      { booleanValue: true },
      { stringValue: '{"a": [1, 2]}' },
      { stringValue: "2026-03-29 01:30:00.123" },
      { stringValue: "5b2d9c39-8a5e-4a53-9f4e-6f1d2a8b7c01" },
      { stringValue: "12.50" },
    ]);
    expect(Array.from(row?.[8]?.blobValue ?? [])).toEqual([1, 2, 255]);
    expect(row?.[9]).toEqual({ isNull: true });
    expect(selected.columnMetadata?.map((c) => c.typeName)).toEqual(["text", "int8", "float8", "bool", "jsonb", "timestamptz", "uuid", "numeric", "bytea", "_text", "text"]);
    expect(selected.columnMetadata?.[10]?.label).toBe("label");
  });

  it("returns arrays, a literal colon cast, and JSON-formatted records", async () => {
    const arrays = await execute("SELECT ARRAY['a','b,c'] AS t, ARRAY[1,2] AS i, '5'::int AS five");
    expect(arrays.records?.[0]).toEqual([{ arrayValue: { stringValues: ["a", "b,c"] } }, { arrayValue: { longValues: [1, 2] } }, { longValue: 5 }]);
    const formatted = await execute("SELECT 1 AS one, 'x' AS two, NULL::text AS three", { formatRecordsAs: "JSON" });
    expect(JSON.parse(formatted.formattedRecords ?? "")).toEqual([{ one: 1, two: "x", three: null }]);
  });

  it("runs BatchExecuteStatement once per parameter set", async () => {
    const result = await client.send(
      new BatchExecuteStatementCommand({
        ...target,
        sql: "INSERT INTO things (name) VALUES (:name)",
        parameterSets: [[{ name: "name", value: { stringValue: "b1" } }], [{ name: "name", value: { stringValue: "b2" } }]],
      }),
    );
    expect(result.updateResults).toHaveLength(2);
    const count = await execute("SELECT count(*) AS c FROM things WHERE name LIKE 'b%'");
    expect(count.records?.[0]?.[0]).toEqual({ longValue: 2 });
  });

  it("commits and rolls back transactions; others wait for an open one", async () => {
    const { transactionId: committed } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO things (name) VALUES ('tx-commit')", { transactionId: committed });
    const outside = execute("SELECT count(*) AS c FROM things WHERE name = 'tx-commit'");
    await client.send(new CommitTransactionCommand({ resourceArn: target.resourceArn, secretArn: target.secretArn, transactionId: committed }));
    expect((await outside).records?.[0]?.[0]).toEqual({ longValue: 1 });

    const { transactionId: rolledBack } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO things (name) VALUES ('tx-rollback')", { transactionId: rolledBack });
    const status = await client.send(new RollbackTransactionCommand({ resourceArn: target.resourceArn, secretArn: target.secretArn, transactionId: rolledBack }));
    expect(status.transactionStatus).toBe("Rollback Complete");
    const after = await execute("SELECT count(*) AS c FROM things WHERE name = 'tx-rollback'");
    expect(after.records?.[0]?.[0]).toEqual({ longValue: 0 });
  });

  it("rolls back a transaction abandoned past the idle timeout", async () => {
    const { transactionId } = await client.send(new BeginTransactionCommand(target));
    await execute("INSERT INTO things (name) VALUES ('abandoned')", { transactionId });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await expect(execute("SELECT 1", { transactionId })).rejects.toMatchObject({ name: "TransactionNotFoundException" });
    const count = await execute("SELECT count(*) AS c FROM things WHERE name = 'abandoned'");
    expect(count.records?.[0]?.[0]).toEqual({ longValue: 0 });
  });

  it("raises AWS-shaped errors the SDK maps to its exception classes", async () => {
    await expect(execute("INSERT INTO things (name) VALUES ('b1')")).rejects.toMatchObject({
      name: "BadRequestException",
      message: expect.stringMatching(/duplicate key value violates unique constraint.*SQLState: 23505/s),
    });
    await expect(execute("SELECT :missing")).rejects.toMatchObject({ name: "BadRequestException", message: "No value specified for parameter: missing" });
    await expect(execute("SELECT 1", { transactionId: "nope" })).rejects.toMatchObject({ name: "TransactionNotFoundException" });
  });

  it("fails every call as DatabaseUnavailableException while taken down, and counts calls", async () => {
    server.resetStats();
    server.setAvailable(false);
    await expect(execute("SELECT 1")).rejects.toMatchObject({ name: "DatabaseUnavailableException" });
    server.setAvailable(true);
    await execute("SELECT 1");
    expect(server.stats()).toEqual({ requests: 2, byOperation: { Execute: 2 } });
  });

  it("runs VACUUM (ANALYZE) outside a transaction", async () => {
    const result = await execute("VACUUM (ANALYZE) things");
    expect(result.numberOfRecordsUpdated).toBe(0);
  });
});
