import { describe, expect, it } from "vitest";
import { createdObjects } from "../../../functions/media/s3-event.js";

const record = (eventName: string, key: string, size = 5, eTag = "abc") => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  eventName,
  s3: { bucket: { name: "b" }, object: { key, size, eTag } },
});

describe("createdObjects", () => {
  it("reads ObjectCreated records with their URL-encoded keys decoded", () => {
    const body = JSON.stringify({
      Records: [
        record("ObjectCreated:Post", "media/1/my+file%282%29.txt", 12, "e1"),
        record("ObjectRemoved:Delete", "media/2/x"),
      ],
    });
    expect(createdObjects(body)).toEqual([{ key: "media/1/my file(2).txt", sizeBytes: 12, etag: "e1" }]);
  });

  it("ignores the test event S3 sends when the notification is configured", () => {
    expect(createdObjects(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b" }))).toEqual([]);
  });

  it("throws on anything else, so the message is retried and ends in the dead-letter queue", () => {
    expect(() => createdObjects("not json")).toThrow();
    expect(() => createdObjects(JSON.stringify({ hello: "world" }))).toThrow();
    expect(() => createdObjects(JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put" }] }))).toThrow();
  });
});
