import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { toStatementResult, type StatementResult } from "./db-result.js";

export interface DatabaseTarget {
  /** The Data API endpoint: the local stand-in. */
  endpoint: string;
  resourceArn: string;
  secretArn: string;
  database: string;
}

// Only the bare forms: `ROLLBACK TO SAVEPOINT x` and `BEGIN ISOLATION LEVEL …` are not these.
const begin = /^(begin|start)(\s+(transaction|work))?$/i;
const commit = /^(commit|end)(\s+(transaction|work))?$/i;
const rollback = /^(rollback|abort)(\s+(transaction|work))?$/i;
const beginWithOptions = /^(begin|start\s+transaction)\s/i;

/**
 * SQL through the Data API, one statement per call, as the functions send it. Every call is its
 * own transaction on the Data API, and a `BEGIN` sent as SQL would leave the stand-in's shared
 * connection inside it, so BEGIN / COMMIT / ROLLBACK become the API's own transaction calls and
 * the statements between them carry its transaction id.
 */
export class DataApiSession {
  private readonly client: RDSDataClient;
  private transactionId: string | undefined;

  constructor(private readonly target: DatabaseTarget) {
    this.client = new RDSDataClient({
      endpoint: target.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      // A shell reports what the database said; retrying a failed statement could run it twice.
      maxAttempts: 1,
    });
  }

  get inTransaction(): boolean {
    return this.transactionId !== undefined;
  }

  async execute(sql: string): Promise<StatementResult> {
    const ids = { resourceArn: this.target.resourceArn, secretArn: this.target.secretArn };
    if (begin.test(sql)) {
      if (this.transactionId) throw new Error("a transaction is already open (COMMIT or ROLLBACK it first)");
      const started = await this.client.send(new BeginTransactionCommand({ ...ids, database: this.target.database }));
      this.transactionId = started.transactionId;
      return { kind: "done", updated: 0 };
    }
    if (commit.test(sql) || rollback.test(sql)) {
      const transactionId = this.transactionId;
      if (!transactionId) throw new Error("no transaction is open");
      this.transactionId = undefined;
      const Command = commit.test(sql) ? CommitTransactionCommand : RollbackTransactionCommand;
      await this.client.send(new Command({ ...ids, transactionId }));
      return { kind: "done", updated: 0 };
    }
    if (beginWithOptions.test(sql)) {
      throw new Error("the Data API starts transactions with its own settings: type BEGIN alone");
    }
    try {
      const output = await this.client.send(
        new ExecuteStatementCommand({
          ...ids,
          database: this.target.database,
          sql,
          includeResultMetadata: true,
          transactionId: this.transactionId,
        }),
      );
      return toStatementResult(output);
    } catch (error) {
      // The Data API rolls back a transaction left idle for 3 minutes; say so instead of failing every line after.
      if ((error as { name?: string }).name === "TransactionNotFoundException" && this.transactionId) {
        this.transactionId = undefined;
        throw new Error("the transaction is gone (rolled back after 3 minutes idle, or its connection was lost)", {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Rolls back a transaction left open at exit, then lets the process end. */
  async close(): Promise<void> {
    const transactionId = this.transactionId;
    this.transactionId = undefined;
    if (transactionId) {
      await this.client
        .send(
          new RollbackTransactionCommand({
            resourceArn: this.target.resourceArn,
            secretArn: this.target.secretArn,
            transactionId,
          }),
        )
        .catch(() => undefined);
    }
    this.client.destroy();
  }
}
