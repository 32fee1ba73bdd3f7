import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
} from "@aws-sdk/client-sqs";
import type { testTaskDeps } from "../../support/task-deps.js";

type SqsMock = ReturnType<typeof testTaskDeps>["sqsMock"];

/** SendMessageBatch accepts every entry, unless its task id is in `refuse`. */
export function acceptBatches(sqsMock: SqsMock, refuse: ReadonlySet<string> = new Set()) {
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
    const refused = (e: { MessageBody: string }) =>
      refuse.has((JSON.parse(e.MessageBody) as { taskId: string }).taskId);
    return {
      Successful: input.Entries.filter((e) => !refused(e)).map((e) => ({
        Id: e.Id,
        MessageId: `m-${e.Id}`,
        MD5OfMessageBody: "",
      })),
      Failed: input.Entries.filter(refused).map((e) => ({ Id: e.Id, SenderFault: false, Code: "InternalError" })),
    };
  });
}

/** Task ids of every wake-up sent in batches, in order. */
export function batchedTaskIds(sqsMock: SqsMock): string[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((e) => (JSON.parse(e.MessageBody ?? "{}") as { taskId: string }).taskId),
    );
}

/** A DLQ holding `bodies`: each receive hands out up to 10 not yet received, then nothing; deletes succeed. */
export function deadLetterQueue(sqsMock: SqsMock, bodies: string[]) {
  const messages: Message[] = bodies.map((Body, i) => ({ Body, ReceiptHandle: `r-${i}`, MessageId: `d-${i}` }));
  let next = 0;
  sqsMock.on(ReceiveMessageCommand).callsFake(() => {
    const batch = messages.slice(next, next + 10);
    next += batch.length;
    return { Messages: batch };
  });
  const deleted: string[] = [];
  sqsMock.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string; ReceiptHandle: string }[] }) => {
    deleted.push(...input.Entries.map((e) => e.ReceiptHandle));
    return { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
  });
  return { deleted };
}
