/**
 * drizzle-orm's aws-data-api driver (`drizzle-orm/aws-data-api/pg`, on @aws-sdk/client-rds-data v3)
 * against the Data API stand-in, set up as drizzle's documentation shows: `drizzle(new RDSDataClient(...),
 * { database, secretArn, resourceArn })`. The driver names parameters by position from 1 (`:1`, `:2`, …),
 * gives a typeHint from the column type (uuid → UUID, numeric → DECIMAL, json/jsonb → JSON, date → DATE,
 * timestamp → TIMESTAMP, time → TIME) and nothing for other values, casts array parameters in INSERT
 * and UPDATE (`cast(:1 as integer[])`), and runs nested transactions as savepoints. It has no batch
 * (BatchExecuteStatement) API for PostgreSQL.
 */
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { eq, inArray, sql } from "drizzle-orm";
import { drizzle, type AwsDataApiPgDatabase } from "drizzle-orm/aws-data-api/pg";
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  integer,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  time,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
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

const types = pgTable("dz_types", {
  id: serial("id").primaryKey(),
  i: integer("i"),
  big: bigint("big", { mode: "number" }),
  num: numeric("num", { precision: 12, scale: 3 }),
  f: doublePrecision("f"),
  ok: boolean("ok"),
  t: text("t").unique(),
  vc: varchar("vc", { length: 20 }),
  u: uuid("u"),
  d: date("d"),
  clock: time("clock"),
  ts: timestamp("ts", { precision: 3 }),
  tstz: timestamp("tstz", { withTimezone: true, precision: 3, mode: "string" }),
  j: jsonb("j"),
  ints: integer("ints").array(),
  texts: text("texts").array(),
});
const things = pgTable("dz_tx", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
});

/** drizzle wraps a failed query in DrizzleQueryError; what the Data API answered is its cause. */
const causeOf = (error: unknown): unknown =>
  error instanceof Error && error.cause !== undefined ? error.cause : error;

describe.each(backends)("drizzle-orm aws-data-api/pg against the stand-in on $name", ({ name, serverUrl }) => {
  let standIn: StandIn;
  let db: AwsDataApiPgDatabase<Record<string, never>>;
  const names = async (value: string) => db.select({ name: things.name }).from(things).where(eq(things.name, value));

  beforeAll(async () => {
    standIn = await startStandIn(serverUrl);
    const client = new RDSDataClient({ endpoint: standIn.server.url, region, credentials });
    db = drizzle(client, { database: target.database, secretArn: target.secretArn, resourceArn: target.resourceArn });
    await db.execute(sql`DROP TABLE IF EXISTS dz_types, dz_tx`);
    await db.execute(sql`CREATE TABLE dz_types (
      id serial PRIMARY KEY, i integer, big bigint, num numeric(12,3), f double precision, ok boolean,
      t text UNIQUE, vc varchar(20), u uuid, d date, clock time, ts timestamp(3), tstz timestamptz(3), j jsonb,
      ints integer[], texts text[])`);
    await db.execute(sql`CREATE TABLE dz_tx (id serial PRIMARY KEY, name text UNIQUE NOT NULL)`);
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it("round-trips int, bigint, numeric, float, boolean, text, varchar, uuid, date, time, timestamp, timestamptz, jsonb, arrays and null", async () => {
    const at = new Date("2024-01-02T03:04:05.678Z");
    const [inserted] = await db
      .insert(types)
      .values({
        i: 42,
        big: 9_007_199_254_740_991,
        num: "12345.678",
        f: 1.5,
        ok: true,
        t: "it's :1, not a parameter",
        vc: "varchar",
        u: sampleUuid,
        d: "2024-02-29",
        clock: "23:59:58.5", // typeHint TIME
        ts: at,
        tstz: "2024-01-02T03:04:05.678Z",
        j: { a: [1, 2], b: null },
        ints: [1, 2, 3],
        texts: ["a", "b,c", 'd"e'],
      })
      .returning({ id: types.id });
    expect(inserted?.id).toEqual(expect.any(Number));

    const [row] = await db
      .select()
      .from(types)
      .where(eq(types.id, inserted?.id ?? -1));
    expect(row).toEqual({
      id: inserted?.id,
      i: 42,
      big: 9_007_199_254_740_991,
      // numeric answers as stringValue (aws/aws-sdk-js#3114).
      num: "12345.678",
      f: 1.5,
      ok: true,
      t: "it's :1, not a parameter",
      vc: "varchar",
      u: sampleUuid,
      d: "2024-02-29",
      clock: "23:59:58.5",
      // timestamp: drizzle appends "+0000" to the "YYYY-MM-DD HH:MM:SS.FFF" Aurora answers.
      ts: at,
      // timestamptz answers in UTC without an offset (kysely-data-api appends "Z" for the same reason).
      tstz: "2024-01-02 03:04:05.678",
      j: { a: [1, 2], b: null },
      // One-dimensional arrays answer as arrayValue (Field.arrayValue).
      ints: [1, 2, 3],
      texts: ["a", "b,c", 'd"e'],
    });

    const [empty] = await db.insert(types).values({}).returning();
    expect(empty).toEqual({
      id: expect.any(Number),
      i: null,
      big: null,
      num: null,
      f: null,
      ok: null,
      t: null,
      vc: null,
      u: null,
      d: null,
      clock: null,
      ts: null,
      tstz: null,
      j: null,
      ints: null,
      texts: null,
    });
  });

  it("reads bytea as bytes and other computed types through execute", async () => {
    const result = await db.execute(
      sql`SELECT decode('0001feff', 'hex') AS raw, 2.5::real AS real, ARRAY[true, false] AS flags, ${7} + 1 AS eight`,
    );
    const row = result.rows[0] as Record<string, unknown>;
    expect(Array.from(row.raw as Uint8Array)).toEqual([0, 1, 254, 255]);
    expect(row.real).toBe(2.5);
    expect(row.flags).toEqual([true, false]);
    expect(row.eight).toBe(8);
  });

  it("compares uuid columns through the UUID hint it derives from the column, also in IN lists", async () => {
    expect(await db.select({ u: types.u }).from(types).where(eq(types.u, sampleUuid))).toEqual([{ u: sampleUuid }]);
    expect(
      await db
        .select({ u: types.u })
        .from(types)
        .where(inArray(types.u, [sampleUuid, "00000000-0000-0000-0000-000000000000"])),
    ).toEqual([{ u: sampleUuid }]);
  });

  it("rejects a uuid compared with an untyped parameter, as drizzle users hit on Aurora", async () => {
    // A raw sql`` parameter carries no typing, so no typeHint: Aurora binds it as character varying
    // (SqlParameter.typeHint; drizzle-orm#2176, #2583, #3409).
    const error = await rejectionOf(
      db
        .select({ id: types.id })
        .from(types)
        .where(sql`${types.u} = ${sampleUuid}`),
    );
    expectDatabaseError(causeOf(error), "42883", "operator does not exist: uuid = character varying");
  });

  it("rejects a TIMESTAMP-hinted value with an offset instead of dropping the offset", async () => {
    // drizzle turns a timestamptz string "…T…+02:00" into "2024-01-02 03:04:05+02:00" with typeHint TIMESTAMP.
    // The hint's accepted format is YYYY-MM-DD HH:MM:SS[.FFF] (SqlParameter.typeHint, API reference); other forms
    // are refused on AWS (koxudaxi/local-data-api#85), so the row must not be stored with a shifted time.
    const error = await rejectionOf(db.insert(types).values({ t: "offset", tstz: "2024-01-02T03:04:05+02:00" }));
    expect(causeOf(error)).toBeInstanceOf(Error);
    expect(await db.select({ t: types.t }).from(types).where(eq(types.t, "offset"))).toEqual([]);
  });

  it("names parameters with digits (:1 … :12) and keeps :1 apart from :10, :11 and :12", async () => {
    const values = Array.from({ length: 12 }, (_, index) => index * 10 + 1);
    const fields = Object.fromEntries(values.map((value, index) => [`p${index + 1}`, sql<number>`${value}::int`]));
    const query = db.select(fields).from(types).limit(1);
    // The names drizzle's AwsPgDialect generates: the position, from 1 (escapeParam).
    const compiled = query.toSQL().sql;
    expect(compiled).toContain(":1::int");
    expect(compiled).toContain(":12::int");
    expect(await query).toEqual([Object.fromEntries(values.map((value, index) => [`p${index + 1}`, value]))]);
  });

  it("answers UnsupportedResultException for catalog types the Data API cannot return", async () => {
    // drizzle-kit's introspection queries hit these on AWS: regclass (drizzle-orm#2982, drizzle-kit-mirror#544:
    // "The result contains the unsupported data type regclass."), "char" (drizzle-orm#3273, #4672:
    // 'The result contains the unsupported data type "CHAR".'), regtype (typeorm-aurora-data-api-driver#164).
    for (const query of [
      sql`SELECT 'dz_types'::regclass AS r`,
      sql`SELECT relkind FROM pg_class WHERE relname = 'dz_types'`,
      sql`SELECT 'int4'::regtype AS t`,
    ]) {
      const error = causeOf(await rejectionOf(db.execute(query)));
      expect((error as Error).name).toBe("UnsupportedResultException");
      expect((error as Error).message).toContain("The result contains the unsupported data type");
    }
    // The workaround those reports use: cast to text.
    const result = await db.execute(
      sql`SELECT 'dz_types'::regclass::text AS r, relkind::text AS k FROM pg_class WHERE relname = 'dz_types'`,
    );
    expect(result.rows).toEqual([{ r: "dz_types", k: "r" }]);
  });

  describe("transactions", () => {
    it("commits what the callback wrote", async () => {
      await db.transaction(async (tx) => {
        await tx.insert(things).values({ name: "committed" });
      });
      expect(await names("committed")).toEqual([{ name: "committed" }]);
    });

    it("applies the transaction's isolation level to the statements run in it", async () => {
      // drizzle sends `set transaction isolation level …` as the transaction's first statement; every later
      // statement with that transactionId runs on the same database session.
      const level = await db.transaction(
        async (tx) => (await tx.execute(sql`SELECT current_setting('transaction_isolation') AS level`)).rows[0],
        { isolationLevel: "serializable" },
      );
      expect(level).toEqual({ level: "serializable" });
    });

    it("rolls back on tx.rollback()", async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(things).values({ name: "rolled back" });
          tx.rollback();
        }),
      ).rejects.toThrow("Rollback");
      expect(await names("rolled back")).toEqual([]);
    });

    it("rolls back a nested transaction to its savepoint and commits the outer one", async () => {
      await db.transaction(async (tx) => {
        await tx.insert(things).values({ name: "outer" });
        await expect(
          tx.transaction(async (inner) => {
            await inner.insert(things).values({ name: "inner" });
            inner.rollback();
          }),
        ).rejects.toThrow("Rollback");
      });
      expect(await names("outer")).toEqual([{ name: "outer" }]);
      expect(await names("inner")).toEqual([]);
    });

    it("rolls back on a SQL error inside the transaction and surfaces DatabaseErrorException", async () => {
      const error = await rejectionOf(
        db.transaction(async (tx) => {
          await tx.insert(things).values({ name: "before the error" });
          await tx.insert(things).values({ name: "before the error" });
        }),
      );
      expectDatabaseError(causeOf(error), "23505", 'duplicate key value violates unique constraint "dz_tx_name_key"');
      expect(await names("before the error")).toEqual([]);
    });

    it("keeps a row written in an open transaction invisible to other calls until commit", async () => {
      let early: Awaited<ReturnType<typeof within<{ name: string }[]>>> | undefined;
      let outside: Promise<{ name: string }[]> | undefined;
      await db.transaction(async (tx) => {
        await tx.insert(things).values({ name: "in flight" });
        // Read committed: another session does not see the row before the commit.
        outside = names("in flight");
        early = await within(outside, 500);
      });
      if (early?.done) expect(early.value).toEqual([]);
      // The pooled backend answers other calls while a transaction is open, as AWS does; PGlite (one
      // connection) makes them wait, so there the read can only have run after the commit.
      if (name === "postgres") expect(early?.done).toBe(true);
      await outside;
      expect(await names("in flight")).toEqual([{ name: "in flight" }]);
    });
  });

  describe("errors", () => {
    it("answers a syntax error with DatabaseErrorException and SQLState 42601", async () => {
      const error = await rejectionOf(db.execute(sql`SELEC 1`));
      expectDatabaseError(causeOf(error), "42601", 'syntax error at or near "SELEC"');
    });

    it("answers a unique violation with DatabaseErrorException and SQLState 23505", async () => {
      await db.insert(types).values({ t: "dup" });
      const error = await rejectionOf(db.insert(types).values({ t: "dup" }));
      expectDatabaseError(causeOf(error), "23505", 'duplicate key value violates unique constraint "dz_types_t_key"');
    });

    it("answers a not-null violation with SQLState 23502", async () => {
      const error = await rejectionOf(db.execute(sql`INSERT INTO dz_tx (name) VALUES (NULL)`));
      expectDatabaseError(causeOf(error), "23502", 'null value in column "name"');
    });
  });
});
