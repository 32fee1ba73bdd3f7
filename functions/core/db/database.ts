import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { databaseVariables, readVariables } from "../../contracts/environment.js";
import { toSqlParameters, type SqlParams } from "./parameters.js";
import { toRows, type Row } from "./records.js";
import { asDatabaseError } from "./unavailable.js";

export interface DatabaseTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

export interface QueryResult<T> {
  rows: T[];
  updated: number;
}

/**
 * The only way code reaches PostgreSQL: one Data API call per statement, so the number of
 * round trips a piece of work costs is the number of `query` calls it makes. Parameters are
 * named (`:id` in the SQL); a uuid, JSON or timestamp goes through its helper in parameters.ts
 * (`uuid(id)`, `json(value)`, a Date), because Aurora types a plain string as varchar.
 */
export class Database {
  constructor(
    private readonly client: RDSDataClient,
    private readonly target: DatabaseTarget,
    private readonly transactionId?: string,
  ) {}

  async query<T = Row>(sql: string, params?: SqlParams): Promise<QueryResult<T>> {
    try {
      const result = await this.client.send(
        new ExecuteStatementCommand({
          ...this.target,
          sql,
          parameters: toSqlParameters(params),
          includeResultMetadata: true,
          transactionId: this.transactionId,
        }),
      );
      return {
        rows: toRows(result.records, result.columnMetadata) as T[],
        updated: result.numberOfRecordsUpdated ?? 0,
      };
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  async rows<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async first<T = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.query<T>(sql, params)).rows[0];
  }

  /** Runs `work` in one transaction: two extra round trips, so keep it for work that needs it. */
  async transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    const { transactionId } = await this.client
      .send(new BeginTransactionCommand({ ...this.target }))
      .catch((error: unknown) => {
        throw asDatabaseError(error);
      });
    const tx = new Database(this.client, this.target, transactionId);
    try {
      const result = await work(tx);
      await this.client.send(
        new CommitTransactionCommand({
          resourceArn: this.target.resourceArn,
          secretArn: this.target.secretArn,
          transactionId,
        }),
      );
      return result;
    } catch (error) {
      await this.client
        .send(
          new RollbackTransactionCommand({
            resourceArn: this.target.resourceArn,
            secretArn: this.target.secretArn,
            transactionId,
          }),
        )
        .catch(() => undefined);
      throw asDatabaseError(error);
    }
  }
}

let shared: Database | undefined;

/** The database the deployed function was bound to (see infra/constructs/database.ts). */
export function database(env: NodeJS.ProcessEnv = process.env): Database {
  if (shared) return shared;
  const { DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME } = readVariables(databaseVariables, env);
  // A paused Aurora cluster takes seconds to resume; the SDK's own retries cover the short blips.
  shared = new Database(new RDSDataClient({ maxAttempts: 3 }), {
    resourceArn: DB_CLUSTER_ARN,
    secretArn: DB_SECRET_ARN,
    database: DB_NAME,
  });
  return shared;
}
