/**
 * data-api-client (jeremydaly/data-api-client 1.3.1, on aws-sdk v2's RDSDataService) against the Data
 * API stand-in, configured as its README says: `require("data-api-client")({ secretArn, resourceArn,
 * database, engine: "pg", options })`, where `options` goes to the RDSDataService constructor (here
 * only the endpoint, region and dummy credentials). The library sends named parameters
 * as given, Dates with typeHint TIMESTAMP, `cast` as `:name::type`, nested parameter arrays as
 * BatchExecuteStatement, and reads results with includeResultMetadata (hydrateColumnNames).
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backends,
  credentials,
  expectDatabaseError,
  region,
  rejectionOf,
  sampleUuid,
  startStandIn,
  target,
  within,
  type StandIn,
} from "./support.js";

type Row = Record<string, unknown>;
type Parameters =
  | Record<string, unknown>
  | ({ name: string; value: unknown; cast?: string } | Record<string, unknown>)[]
  | Parameters[][];
interface QueryResult {
  records?: Row[];
  numberOfRecordsUpdated?: number;
  insertId?: number;
  updateResults?: Row[];
  columnMetadata?: Row[];
}
interface Transaction {
  query(sql: string, parameters?: Parameters): Transaction;
  query(build: (last: QueryResult | undefined, all: QueryResult[]) => [string, Parameters?]): Transaction;
  rollback(callback: (error: unknown, status: { transactionStatus?: string }) => void): Transaction;
  commit(): Promise<(QueryResult & { transactionStatus?: string })[]>;
}
interface DataApiClient {
  query(sql: string, parameters?: Parameters): Promise<QueryResult>;
  query(options: {
    sql: string;
    parameters?: Parameters;
    transactionId?: string;
    includeResultMetadata?: boolean;
  }): Promise<QueryResult>;
  transaction(): Transaction;
  beginTransaction(args?: Record<string, unknown>): Promise<{ transactionId: string }>;
  commitTransaction(args: { transactionId: string }): Promise<{ transactionStatus: string }>;
  rollbackTransaction(args: { transactionId: string }): Promise<{ transactionStatus: string }>;
  executeStatement(
    args: Record<string, unknown>,
  ): Promise<{ records?: Record<string, unknown>[][]; numberOfRecordsUpdated?: number }>;
}
interface DataApiClientOptions {
  secretArn: string;
  resourceArn: string;
  database?: string;
  engine?: "mysql" | "pg";
  options?: Record<string, unknown>;
}

// The package is CommonJS without type declarations.
const dataApiClient = createRequire(import.meta.url)("data-api-client") as (
  options: DataApiClientOptions,
) => DataApiClient;

describe.each(backends)("data-api-client (aws-sdk v2) against the stand-in on $name", ({ name, serverUrl }) => {
  let standIn: StandIn;
  let data: DataApiClient;
  const count = async (table: string, where = "true", parameters: Parameters = {}) =>
    (await data.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, parameters)).records?.[0]?.n;

  beforeAll(async () => {
    standIn = await startStandIn(serverUrl);
    data = dataApiClient({
      ...target,
      engine: "pg",
      options: { endpoint: standIn.server.url, region, credentials },
    });
    await data.query("DROP TABLE IF EXISTS dac_types, dac_tx");
    await data.query(`CREATE TABLE dac_types (
      id serial PRIMARY KEY, i integer, big bigint, num numeric(12,3), f double precision, ok boolean,
      t text UNIQUE, vc varchar(20), u uuid, d date, ts timestamp, tstz timestamptz, j jsonb, raw bytea,
      ints integer[], texts text[])`);
    await data.query("CREATE TABLE dac_tx (id serial PRIMARY KEY, name text UNIQUE NOT NULL, tag uuid)");
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it("round-trips int, bigint, numeric, float, boolean, text, varchar, uuid, date, timestamp, timestamptz, jsonb, bytea, arrays and null", async () => {
    const at = new Date("2024-01-02T03:04:05.678Z");
    const inserted = await data.query(
      `INSERT INTO dac_types (i, big, num, f, ok, t, vc, u, d, ts, tstz, j, raw, ints, texts)
       VALUES (:i, :big, :num, :f, :ok, :t, :vc, :u, :d, :ts, :tstz, :j, :raw, ARRAY[1, 2, 3], ARRAY['a', 'b,c'])`,
      [
        { name: "i", value: 42 },
        { name: "big", value: 9_007_199_254_740_991 },
        { name: "num", value: "12345.678", cast: "numeric" },
        { name: "f", value: 1.5 },
        { name: "ok", value: true },
        { name: "t", value: "it's :t, not a parameter" },
        { name: "vc", value: "varchar" },
        { name: "u", value: sampleUuid, cast: "uuid" },
        { name: "d", value: "2024-02-29", cast: "date" },
        { name: "ts", value: at }, // stringValue "2024-01-02 03:04:05.678", typeHint TIMESTAMP
        { name: "tstz", value: at },
        { name: "j", value: JSON.stringify({ a: [1, 2], b: null }), cast: "jsonb" },
        { name: "raw", value: Buffer.from([0, 1, 254, 255]) },
      ],
    );
    // generatedFields "isn't supported by Aurora PostgreSQL" (ExecuteStatement API reference), so there is no insertId.
    expect(inserted).toEqual({ numberOfRecordsUpdated: 1 });

    const { records } = await data.query("SELECT * FROM dac_types WHERE t = :t", { t: "it's :t, not a parameter" });
    expect(records).toHaveLength(1);
    const row = records?.[0] ?? {};
    expect(row.i).toBe(42);
    expect(row.big).toBe(9_007_199_254_740_991);
    // numeric answers as stringValue (aws/aws-sdk-js#3114, data-api-client#53).
    expect(row.num).toBe("12345.678");
    expect(row.f).toBe(1.5);
    expect(row.ok).toBe(true);
    expect(row.vc).toBe("varchar");
    expect(row.u).toBe(sampleUuid);
    // deserializeDate (the default) reads date/timestamp/timestamptz strings without an offset as UTC:
    // Aurora answers timestamptz in UTC without one (data-api-client formatFromTimeStamp; kysely-data-api appends "Z").
    expect(row.d).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(row.ts).toEqual(at);
    expect(row.tstz).toEqual(at);
    // The client parses only typeName "JSON"; PostgreSQL's jsonb comes back as its text form.
    expect(row.j).toBe('{"a": [1, 2], "b": null}');
    expect(Buffer.isBuffer(row.raw) && [...row.raw]).toEqual([0, 1, 254, 255]);
    // The client hands arrayValue over as the SDK parsed it (Field.arrayValue, API reference).
    expect(row.ints).toEqual({ longValues: [1, 2, 3] });
    expect(row.texts).toEqual({ stringValues: ["a", "b,c"] });

    await data.query("INSERT INTO dac_types (t) VALUES (:t)", { t: null });
    const nulls = (
      await data.query("SELECT i, big, num, f, ok, vc, u, d, ts, tstz, j, raw, ints FROM dac_types WHERE t IS NULL")
    ).records;
    expect(nulls).toEqual([
      {
        i: null,
        big: null,
        num: null,
        f: null,
        ok: null,
        vc: null,
        u: null,
        d: null,
        ts: null,
        tstz: null,
        j: null,
        raw: null,
        ints: null,
      },
    ]);
  });

  it("answers RETURNING with records", async () => {
    const result = await data.query("INSERT INTO dac_tx (name) VALUES (:name) RETURNING id, name", {
      name: "returned",
    });
    expect(result.records).toEqual([{ id: expect.any(Number), name: "returned" }]);
  });

  it("reports the rows an UPDATE or DELETE touched (numberOfRecordsUpdated)", async () => {
    await data.query("INSERT INTO dac_types (vc) VALUES (:vc)", [[{ vc: "count me" }], [{ vc: "count me" }]]);
    expect(await data.query("UPDATE dac_types SET i = :i WHERE vc = :vc", { i: 7, vc: "count me" })).toEqual({
      numberOfRecordsUpdated: 2,
    });
    expect(await data.query("DELETE FROM dac_types WHERE vc = :vc", { vc: "count me" })).toEqual({
      numberOfRecordsUpdated: 2,
    });
  });

  it("rejects an untyped uuid string, and accepts the client's `cast`", async () => {
    // An unhinted stringValue is character varying on Aurora (SqlParameter.typeHint; typeorm-aurora-data-api-driver#81,
    // drizzle-orm#2176). data-api-client's README recommends `cast: 'uuid'` for exactly this.
    const error = await rejectionOf(data.query("SELECT id FROM dac_types WHERE u = :u", { u: sampleUuid }));
    expectDatabaseError(error, "42883", "operator does not exist: uuid = character varying");
    expect((error as { code?: string }).code).toBe("DatabaseErrorException");
    const cast = await data.query("SELECT u FROM dac_types WHERE u = :u", [
      { name: "u", value: sampleUuid, cast: "uuid" },
    ]);
    expect(cast.records).toEqual([{ u: sampleUuid }]);
  });

  it("rejects an untyped string where an array is expected, and accepts the client's `cast`", async () => {
    // On AWS `col = ANY(:param)` with a string '{a,b}' fails "op ANY/ALL (array) requires array on right side"
    // (SQLState 42809), where plain PostgreSQL would infer text[] (koxudaxi/local-data-api#205).
    const error = await rejectionOf(
      data.query("SELECT count(*)::int AS n FROM dac_types WHERE t = ANY(:ts)", { ts: "{dup,none}" }),
    );
    expectDatabaseError(error, "42809", "op ANY/ALL (array) requires array on right side");
    const cast = await data.query("SELECT count(*)::int AS n FROM dac_types WHERE vc = ANY(:vcs)", [
      { name: "vcs", value: "{varchar,none}", cast: "text[]" },
    ]);
    expect(cast.records).toEqual([{ n: 1 }]);
  });

  it("describes a text[] table column as AWS does", async () => {
    const { columnMetadata } = await data.query({
      sql: "SELECT texts FROM dac_types WHERE texts IS NOT NULL",
      includeResultMetadata: true,
    });
    // What the Data API answered for a text[] column on AWS (koxudaxi/local-data-api#128, "When deployed on AWS"):
    // java.sql.Types.ARRAY (2003), PostgreSQL's type name "_text", arrayBaseColumnType 0, the table's name,
    // an empty schemaName, nullable 1 (columnNullable).
    expect(columnMetadata?.[0]).toMatchObject({
      arrayBaseColumnType: 0,
      isAutoIncrement: false,
      isCaseSensitive: true,
      isCurrency: false,
      isSigned: false,
      label: "texts",
      name: "texts",
      nullable: 1,
      precision: 2147483647,
      scale: 0,
      schemaName: "",
      tableName: "dac_types",
      type: 2003,
      typeName: "_text",
    });
  });

  describe("transactions", () => {
    it("commits the chained queries and reports CommitTransaction's status", async () => {
      const results = await data
        .transaction()
        .query("INSERT INTO dac_tx (name) VALUES (:name)", { name: "committed" })
        .query((last) => [
          "SELECT count(*)::int AS n FROM dac_tx WHERE name = :name",
          { name: last?.numberOfRecordsUpdated === 1 ? "committed" : "?" },
        ])
        .commit();
      expect(results[0]).toEqual({ numberOfRecordsUpdated: 1 });
      expect(results[1]?.records).toEqual([{ n: 1 }]);
      // CommitTransaction answers transactionStatus "Transaction Committed" (AWS CLI reference, commit-transaction
      // example; alchemy.run AWS.RDSData.CommitTransaction: `commit.transactionStatus === "Transaction Committed"`).
      expect(results[2]).toEqual({ transactionStatus: "Transaction Committed" });
      expect(await count("dac_tx", "name = :name", { name: "committed" })).toBe(1);
    });

    it("rolls back when a query fails, reporting RollbackTransaction's status", async () => {
      let rolledBack: { error: unknown; status: { transactionStatus?: string } } | undefined;
      const error = await rejectionOf(
        data
          .transaction()
          .query("INSERT INTO dac_tx (name) VALUES (:name)", { name: "undone" })
          .query("INSERT INTO dac_tx (name) VALUES (:name)", { name: "undone" })
          .rollback((e, status) => {
            rolledBack = { error: e, status };
          })
          .commit(),
      );
      expectDatabaseError(error, "23505", 'duplicate key value violates unique constraint "dac_tx_name_key"');
      // RollbackTransaction answers transactionStatus "Rollback Complete" (AWS CLI reference, rollback-transaction example).
      expect(rolledBack?.status).toEqual({ transactionStatus: "Rollback Complete" });
      expect(await count("dac_tx", "name = :name", { name: "undone" })).toBe(0);
    });

    it("keeps a row written in an open transaction invisible to other calls until commit", async () => {
      const { transactionId } = await data.beginTransaction();
      await data.executeStatement({
        transactionId,
        sql: "INSERT INTO dac_tx (name) VALUES (:name)",
        parameters: [{ name: "name", value: { stringValue: "in flight" } }],
      });
      const outside = count("dac_tx", "name = :name", { name: "in flight" });
      const early = await within(outside, 500);
      // Read committed: the other call does not see the row. The pooled backend answers it at once, as AWS does;
      // PGlite (one connection) makes it wait for the transaction, so there it runs after the commit.
      if (early.done) expect(early.value).toBe(0);
      if (name === "postgres") expect(early.done).toBe(true);
      expect(await data.commitTransaction({ transactionId })).toEqual({ transactionStatus: "Transaction Committed" });
      await outside;
      expect(await count("dac_tx", "name = :name", { name: "in flight" })).toBe(1);
    });

    it("refuses a second call on a transaction while its first is still running", async () => {
      // AWS troubleshooting, "DatabaseErrorException: Transaction is still running a query": a request whose
      // transaction is processing another request fails at once (Serverless v2 and provisioned), e.g. when an
      // application issues them as concurrent JavaScript promises. (kysely and drizzle await each query on a
      // transaction before sending the next; data-api-client's executeStatement does not.)
      const { transactionId } = await data.beginTransaction();
      let slowDone = false;
      const slow = data.executeStatement({ transactionId, sql: "SELECT pg_sleep(1)" }).finally(() => {
        slowDone = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await data.executeStatement({ transactionId, sql: "SELECT 1" }).then(
        () => ({ refused: undefined, whileRunning: !slowDone }),
        (error: unknown) => ({ refused: error, whileRunning: !slowDone }),
      );
      // The pooled backend answers while the first statement runs, as AWS does; PGlite runs statements on this
      // thread, so there the second request is only read once the first has finished.
      if (name === "postgres") expect(second.whileRunning).toBe(true);
      if (second.whileRunning) {
        expect((second.refused as Error | undefined)?.name).toBe("DatabaseErrorException");
        expect((second.refused as Error).message).toContain("Transaction is still running a query");
      }
      await slow;
      // The transaction itself goes on: the troubleshooting advice is to retry once the first call has answered.
      expect((await data.executeStatement({ transactionId, sql: "SELECT 1 AS one" })).records).toEqual([
        [{ longValue: 1 }],
      ]);
      expect(await data.commitTransaction({ transactionId })).toEqual({ transactionStatus: "Transaction Committed" });
    });

    it("rolls back with rollbackTransaction", async () => {
      const { transactionId } = await data.beginTransaction();
      await data.executeStatement({
        transactionId,
        sql: "INSERT INTO dac_tx (name) VALUES (:name)",
        parameters: [{ name: "name", value: { stringValue: "abandoned" } }],
      });
      expect(await data.rollbackTransaction({ transactionId })).toEqual({ transactionStatus: "Rollback Complete" });
      expect(await count("dac_tx", "name = :name", { name: "abandoned" })).toBe(0);
    });
  });

  it("answers a call on an ended transaction with TransactionNotFoundException", async () => {
    const { transactionId } = await data.beginTransaction();
    await data.commitTransaction({ transactionId });
    // CommitTransaction/ExecuteStatement Errors (API reference; botocore commit_transaction): TransactionNotFoundException, "The transaction ID
    // wasn't found"; Troubleshooting: "Transaction <transaction_ID> isn't found … already ended by your
    // CommitTransaction or RollbackTransaction call".
    const again = await rejectionOf(data.commitTransaction({ transactionId }));
    expect((again as Error).name).toBe("TransactionNotFoundException");
    const later = await rejectionOf(data.executeStatement({ transactionId, sql: "SELECT 1" }));
    expect((later as Error).name).toBe("TransactionNotFoundException");
  });

  describe("batch (BatchExecuteStatement)", () => {
    it("inserts one row per parameter set and answers one updateResult each", async () => {
      const result = await data.query("INSERT INTO dac_tx (name) VALUES (:name)", [
        [{ name: "batch a" }],
        [{ name: "batch b" }],
        [{ name: "batch c" }],
      ]);
      // updateResults: one per parameter set; without generatedFields (not supported by Aurora PostgreSQL) the
      // client reports each as {} (its README: "there is no useful feedback provided by this field").
      expect(result).toEqual({ updateResults: [{}, {}, {}] });
      expect(await count("dac_tx", "name LIKE 'batch %'")).toBe(3);
    });

    it("applies a cast to every parameter set", async () => {
      const other = "0b7a3c1e-2f4d-4e6a-9b8c-7d6e5f4a3b2c";
      await data.query("UPDATE dac_tx SET tag = :tag WHERE name = :name", [
        [
          { name: "tag", value: sampleUuid, cast: "uuid" },
          { name: "name", value: "batch a" },
        ],
        [
          { name: "tag", value: other, cast: "uuid" },
          { name: "name", value: "batch b" },
        ],
      ]);
      const { records } = await data.query(
        "SELECT name, tag FROM dac_tx WHERE name IN ('batch a', 'batch b') ORDER BY name",
      );
      expect(records).toEqual([
        { name: "batch a", tag: sampleUuid },
        { name: "batch b", tag: other },
      ]);
    });

    it("runs inside a transaction and goes with its rollback", async () => {
      const { transactionId } = await data.beginTransaction();
      const { updateResults } = await data.query({
        sql: "INSERT INTO dac_tx (name) VALUES (:name)",
        parameters: [[{ name: "tx batch 1" }], [{ name: "tx batch 2" }]],
        transactionId,
      });
      expect(updateResults).toHaveLength(2);
      await data.rollbackTransaction({ transactionId });
      expect(await count("dac_tx", "name LIKE 'tx batch %'")).toBe(0);
    });

    it("answers a failing parameter set with DatabaseErrorException", async () => {
      const error = await rejectionOf(
        data.query("INSERT INTO dac_tx (name) VALUES (:name)", [[{ name: "batch dup" }], [{ name: "batch dup" }]]),
      );
      expectDatabaseError(error, "23505", 'duplicate key value violates unique constraint "dac_tx_name_key"');
    });
  });

  describe("errors", () => {
    it("answers a syntax error with DatabaseErrorException and SQLState 42601", async () => {
      const error = await rejectionOf(data.query("SELEC 1"));
      expectDatabaseError(error, "42601", 'syntax error at or near "SELEC"');
      expect((error as { code?: string }).code).toBe("DatabaseErrorException");
    });

    it("answers a unique violation with DatabaseErrorException and SQLState 23505", async () => {
      await data.query("INSERT INTO dac_types (t) VALUES (:t)", { t: "dup" });
      const error = await rejectionOf(data.query("INSERT INTO dac_types (t) VALUES (:t)", { t: "dup" }));
      expectDatabaseError(error, "23505", 'duplicate key value violates unique constraint "dac_types_t_key"');
    });

    it("answers a division by zero with SQLState 22012", async () => {
      const error = await rejectionOf(data.query("SELECT 1 / :zero AS x", { zero: 0 }));
      expectDatabaseError(error, "22012", "division by zero");
    });
  });
});
