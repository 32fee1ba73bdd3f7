/**
 * kysely + kysely-data-api (serverless-stack/kysely-data-api, uses @aws-sdk/client-rds-data v3) against
 * the Data API stand-in, used exactly as its README shows: `new DataApiDialect({ mode: "postgres",
 * driver: { client: new RDSData(...), database, secretArn, resourceArn } })`. The library compiles
 * every value to a parameter named by its position (`:0`, `:1`, …), sends Dates with typeHint
 * TIMESTAMP and passes `{ value, typeHint }` objects through; results are read with
 * includeResultMetadata and converted by typeName (timestamp/date → Date, timestamptz → Date of
 * `${value}Z`, json/jsonb → JSON.parse).
 */
import { RDSData } from "@aws-sdk/client-rds-data";
import { Kysely, sql, type Generated, type RawBuilder } from "kysely";
import { DataApiDialect } from "kysely-data-api";
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

interface TypesTable {
  id: Generated<number>;
  i: number | null;
  big: number | null;
  num: string | null;
  f: number | null;
  ok: boolean | null;
  t: string | null;
  vc: string | null;
  u: string | null;
  d: Date | null;
  ts: Date | null;
  tstz: Date | null;
  j: unknown;
  raw: Uint8Array | null;
  ints: number[] | null;
  texts: string[] | null;
}
interface Database {
  kda_types: TypesTable;
  kda_tx: { id: Generated<number>; name: string };
}

/** A string the Data API binds as the hinted type (SqlParameter.typeHint); kysely-data-api passes such objects through. */
const hinted = <T>(typeHint: "UUID" | "DECIMAL" | "DATE" | "JSON" | "TIMESTAMP", stringValue: string): RawBuilder<T> =>
  sql<T>`${{ value: { stringValue }, typeHint }}`;

describe.each(backends)("kysely + kysely-data-api against the stand-in on $name", ({ name, serverUrl }) => {
  let standIn: StandIn;
  let db: Kysely<Database>;

  beforeAll(async () => {
    standIn = await startStandIn(serverUrl);
    const client = new RDSData({ endpoint: standIn.server.url, region, credentials });
    db = new Kysely<Database>({
      dialect: new DataApiDialect({
        mode: "postgres",
        driver: { client, database: target.database, secretArn: target.secretArn, resourceArn: target.resourceArn },
      }),
    });
    await sql`DROP TABLE IF EXISTS kda_types, kda_tx`.execute(db);
    await sql`CREATE TABLE kda_types (
      id serial PRIMARY KEY, i integer, big bigint, num numeric(12,3), f double precision, ok boolean,
      t text UNIQUE, vc varchar(20), u uuid, d date, ts timestamp, tstz timestamptz, j jsonb, raw bytea,
      ints integer[], texts text[])`.execute(db);
    await sql`CREATE TABLE kda_tx (id serial PRIMARY KEY, name text UNIQUE NOT NULL)`.execute(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await standIn?.close();
  });

  it("round-trips int, bigint, numeric, float, boolean, text, varchar, uuid, date, timestamp, timestamptz, jsonb, bytea, arrays and null", async () => {
    const at = new Date("2024-01-02T03:04:05.678Z");
    const { id } = await db
      .insertInto("kda_types")
      .values({
        i: 42, // longValue
        big: 9_007_199_254_740_991, // longValue: the largest integer a JSON number carries exactly
        num: hinted("DECIMAL", "12345.678"),
        f: 1.5, // doubleValue
        ok: true, // booleanValue
        t: "it's :0, not a parameter",
        vc: "varchar",
        u: hinted("UUID", sampleUuid),
        d: hinted("DATE", "2024-02-29"),
        ts: at, // kysely-data-api: stringValue "2024-01-02 03:04:05.678", typeHint TIMESTAMP
        tstz: at,
        j: hinted("JSON", '{"a":[1,2],"b":null}'),
        raw: Buffer.from([0, 1, 254, 255]), // blobValue
        ints: sql`ARRAY[1, 2, 3]`,
        texts: sql`ARRAY['a', 'b,c', 'd"e']`,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(typeof id).toBe("number");

    const row = await db.selectFrom("kda_types").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.i).toBe(42);
    // int8 answers as longValue (Field.longValue, API reference).
    expect(row.big).toBe(9_007_199_254_740_991);
    // numeric answers as stringValue, exactly as PostgreSQL prints it (aws/aws-sdk-js#3114, data-api-client#53).
    expect(row.num).toBe("12345.678");
    expect(row.f).toBe(1.5);
    expect(row.ok).toBe(true);
    expect(row.t).toBe("it's :0, not a parameter");
    expect(row.vc).toBe("varchar");
    expect(row.u).toBe(sampleUuid);
    // date answers "YYYY-MM-DD"; kysely-data-api turns it into new Date(value), i.e. UTC midnight.
    expect(row.d).toEqual(new Date("2024-02-29"));
    // timestamp answers "YYYY-MM-DD HH:MM:SS[.FFF…]"; kysely-data-api parses it with new Date(value).
    expect(row.ts).toEqual(new Date("2024-01-02 03:04:05.678"));
    // timestamptz answers in UTC without an offset: kysely-data-api appends "Z" (data-api-driver.js), as
    // data-api-client assumes UTC for it too (formatFromTimeStamp).
    expect(row.tstz?.toISOString()).toBe("2024-01-02T03:04:05.678Z");
    expect(row.j).toEqual({ a: [1, 2], b: null });
    // bytea answers as blobValue, which the SDK decodes to bytes.
    expect(Array.from(row.raw ?? [])).toEqual([0, 1, 254, 255]);
    // One-dimensional arrays answer as arrayValue (Field.arrayValue; kysely-data-api#22 shows doubleValues for float4[]).
    expect(row.ints).toEqual([1, 2, 3]);
    expect(row.texts).toEqual(["a", "b,c", 'd"e']);

    const { id: empty } = await db
      .insertInto("kda_types")
      .values({ i: null, t: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    const nulls = await db.selectFrom("kda_types").selectAll().where("id", "=", empty).executeTakeFirstOrThrow();
    const { id: ignored, ...rest } = nulls;
    expect(ignored).toBe(empty);
    // Every NULL answers as { isNull: true }, which kysely-data-api maps to null.
    expect(Object.values(rest).every((value) => value === null)).toBe(true);
  });

  it("selects computed values of each type with their column types", async () => {
    const row = await sql<
      Record<string, unknown>
    >`SELECT 7::smallint AS small, 2.5::real AS real, 'x'::char(3) AS fixed,
      '12:34:56'::time AS clock, ARRAY[true, false] AS flags, ARRAY[1.5, 2.25]::float8[] AS doubles,
      '{"k": "v"}'::json AS plain_json, 1::bigint + ${41} AS sum`
      .execute(db)
      .then((result) => result.rows[0]);
    expect(row).toEqual({
      small: 7,
      real: 2.5,
      fixed: "x  ",
      clock: "12:34:56",
      flags: [true, false],
      doubles: [1.5, 2.25],
      plain_json: { k: "v" },
      sum: 42,
    });
  });

  it("reports the rows an UPDATE or DELETE touched (numberOfRecordsUpdated)", async () => {
    await db
      .insertInto("kda_types")
      .values([{ vc: "count me" }, { vc: "count me" }])
      .execute();
    const updated = await db
      .updateTable("kda_types")
      .set({ i: 7 })
      .where("vc", "=", "count me")
      .executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom("kda_types").where("vc", "=", "count me").executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(2n);
  });

  it("names parameters with digits (:0 … :11) and keeps :1 apart from :10 and :11", async () => {
    const values = Array.from({ length: 12 }, (_, index) => index * 10);
    const columns = values.map((value, index) => sql`${value}::int AS ${sql.ref(`p${index}`)}`);
    const compiled = sql`SELECT ${sql.join(columns)}`.compile(db);
    // The names kysely-data-api generates: the position, from 0 (data-api-query-compiler.js).
    expect(compiled.sql).toContain(":0::int");
    expect(compiled.sql).toContain(":11::int");
    const row = (await sql<Record<string, number>>`SELECT ${sql.join(columns)}`.execute(db)).rows[0];
    expect(row).toEqual(Object.fromEntries(values.map((value, index) => [`p${index}`, value])));
  });

  it("introspects the schema through kysely-data-api's own PostgresIntrospector", async () => {
    // Catalog columns of type name (relname, attname, typname) answer as stringValue; its bound parameters
    // (`c.relname != :n`, `ns.nspname !~ :n`, `c.relkind in (:n, :n)`) are varchar, which these operators accept.
    const tables = await db.introspection.getTables();
    const table = tables.find((candidate) => candidate.name === "kda_types");
    expect(table?.schema).toBe("public");
    expect(table?.columns.find((column) => column.name === "id")).toMatchObject({
      dataType: "int4",
      isAutoIncrementing: true,
      hasDefaultValue: true,
      isNullable: false,
    });
    expect(table?.columns.find((column) => column.name === "u")).toMatchObject({ dataType: "uuid", isNullable: true });
    expect(table?.columns.find((column) => column.name === "ints")).toMatchObject({ dataType: "_int4" });
  });

  it("rejects an untyped string where a uuid is expected, as Aurora binds it as character varying", async () => {
    // SqlParameter.typeHint (API reference): without a hint a stringValue is sent as a string, and
    // PostgreSQL sees character varying; reports: kysely#853 (insert), typeorm-aurora-data-api-driver#81
    // and drizzle-orm#2176 (comparison).
    const compared = await rejectionOf(db.selectFrom("kda_types").select("id").where("u", "=", sampleUuid).execute());
    expectDatabaseError(compared, "42883", "operator does not exist: uuid = character varying");
    expect((compared as Error).message).toMatch(
      /^ERROR: operator does not exist: uuid = character varying; Hint: No operator matches the given name and argument types\. You might need to add explicit type casts\.; Position: \d+; SQLState: 42883$/,
    );
    const inserted = await rejectionOf(db.insertInto("kda_types").values({ u: sampleUuid }).execute());
    expectDatabaseError(inserted, "42804", 'column "u" is of type uuid but expression is of type character varying');

    // What users of kysely-data-api write instead: a typeHint, or a cast in the SQL.
    const byHint = await db
      .selectFrom("kda_types")
      .select("u")
      .where("u", "=", hinted<string>("UUID", sampleUuid))
      .execute();
    const byCast = await db
      .selectFrom("kda_types")
      .select("u")
      .where("u", "=", sql<string>`${sampleUuid}::uuid`)
      .execute();
    expect(byHint.length).toBeGreaterThan(0);
    expect(byCast).toEqual(byHint);
  });

  it("rejects an untyped string for a numeric, date, jsonb or timestamptz column", async () => {
    // Same rule as the uuid case (SqlParameter.typeHint): these are the columns whose hint exists.
    for (const [column, value, type] of [
      ["num", "1.5", "numeric"],
      ["d", "2024-01-01", "date"],
      ["j", "{}", "jsonb"],
    ] as const) {
      const error = await rejectionOf(
        db
          .insertInto("kda_types")
          .values({ [column]: value })
          .execute(),
      );
      expectDatabaseError(
        error,
        "42804",
        `column "${column}" is of type ${type} but expression is of type character varying`,
      );
    }
    const tstz = await rejectionOf(sql`INSERT INTO kda_types (tstz) VALUES (${"2024-01-01 00:00:00"})`.execute(db));
    expectDatabaseError(
      tstz,
      "42804",
      'column "tstz" is of type timestamp with time zone but expression is of type character varying',
    );
  });

  describe("transactions", () => {
    it("commits what the callback wrote", async () => {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("kda_tx").values({ name: "committed" }).execute();
      });
      expect(await db.selectFrom("kda_tx").select("name").where("name", "=", "committed").execute()).toEqual([
        { name: "committed" },
      ]);
    });

    it("rolls back when the callback throws", async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("kda_tx").values({ name: "rolled back" }).execute();
          throw new Error("abandon");
        }),
      ).rejects.toThrow("abandon");
      expect(await db.selectFrom("kda_tx").select("name").where("name", "=", "rolled back").execute()).toEqual([]);
    });

    it("rolls back on a SQL error inside the transaction and surfaces DatabaseErrorException", async () => {
      const error = await rejectionOf(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("kda_tx").values({ name: "before the error" }).execute();
          await trx.insertInto("kda_tx").values({ name: "before the error" }).execute();
        }),
      );
      expectDatabaseError(error, "23505", 'duplicate key value violates unique constraint "kda_tx_name_key"');
      expect(await db.selectFrom("kda_tx").select("name").where("name", "=", "before the error").execute()).toEqual([]);
    });

    it("keeps a row written in an open transaction invisible to other calls until commit", async () => {
      let early: Awaited<ReturnType<typeof within<{ name: string }[]>>> | undefined;
      let outside: Promise<{ name: string }[]> | undefined;
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("kda_tx").values({ name: "in flight" }).execute();
        // Read committed (PostgreSQL's default, Aurora's too): another session does not see it yet.
        outside = db.selectFrom("kda_tx").select("name").where("name", "=", "in flight").execute();
        early = await within(outside, 500);
      });
      if (early?.done) expect(early.value).toEqual([]);
      // The pooled backend answers other calls while a transaction is open, as AWS does; PGlite (one
      // connection) makes them wait, so there the read can only have run after the commit.
      if (name === "postgres") expect(early?.done).toBe(true);
      await outside;
      expect(await db.selectFrom("kda_tx").select("name").where("name", "=", "in flight").execute()).toEqual([
        { name: "in flight" },
      ]);
    });
  });

  describe("errors", () => {
    it("answers a syntax error with DatabaseErrorException, PostgreSQL's message and SQLState 42601", async () => {
      const error = await rejectionOf(sql`SELEC 1`.execute(db));
      expectDatabaseError(error, "42601", 'syntax error at or near "SELEC"');
      // Serverless v2/provisioned join PostgreSQL's fields with "; " (drizzle-orm#2583:
      // "ERROR: operator does not exist: uuid = text; Hint: …; Position: 54; SQLState: 42883"; drizzle-orm#4747:
      // "ERROR: cannot drop schema test because other objects depend on it; Hint: Use DROP ... CASCADE …; SQLState: 2BP01").
      expect((error as Error).message).toBe('ERROR: syntax error at or near "SELEC"; Position: 1; SQLState: 42601');
    });

    it("answers a unique violation with DatabaseErrorException and SQLState 23505", async () => {
      await db.insertInto("kda_types").values({ t: "dup" }).execute();
      const error = await rejectionOf(db.insertInto("kda_types").values({ t: "dup" }).execute());
      expectDatabaseError(error, "23505", 'duplicate key value violates unique constraint "kda_types_t_key"');
      // PostgreSQL's DETAIL is not part of the message: drizzle-orm#4747's 2BP01 (whose DETAIL PostgreSQL always
      // sends) shows only the message, Hint and SQLState.
      expect((error as Error).message).toBe(
        'ERROR: duplicate key value violates unique constraint "kda_types_t_key"; SQLState: 23505',
      );
    });

    it("answers a missing table with SQLState 42P01", async () => {
      const error = await rejectionOf(sql`SELECT * FROM kda_missing`.execute(db));
      expectDatabaseError(error, "42P01", 'relation "kda_missing" does not exist');
    });
  });
});
