import type { Database } from "../core/db/database.js";
import { uuid } from "../core/db/parameters.js";
import type { MediaObject, MediaStatus } from "./media-object.js";

const columns = `id::text AS id, owner, object_key, filename, content_type, size_bytes, checksum, status, created_at, stored_at`;

interface MediaRow {
  id: string;
  owner: string;
  object_key: string;
  filename: string;
  content_type: string;
  size_bytes: number | null;
  checksum: string | null;
  status: MediaStatus;
  created_at: string;
  stored_at: string | null;
}

const toMedia = (row: MediaRow): MediaObject => ({
  id: row.id,
  owner: row.owner,
  objectKey: row.object_key,
  filename: row.filename,
  contentType: row.content_type,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  checksum: row.checksum,
  status: row.status,
  createdAt: row.created_at,
  storedAt: row.stored_at,
});

export interface NewMedia {
  id: string;
  owner: string;
  objectKey: string;
  filename: string;
  contentType: string;
}

/** Where a stored file ended up and what it holds. */
export interface StoredFile {
  objectKey: string;
  sizeBytes: number;
  checksum: string;
}

/** SQL for `media_objects`; every method is one Data API round trip. */
export class MediaRepository {
  constructor(private readonly db: Database) {}

  async insertPending(media: NewMedia): Promise<MediaObject> {
    const row = await this.db.first<MediaRow>(
      `INSERT INTO media_objects (id, owner, object_key, filename, content_type, status)
       VALUES (:id, :owner, :objectKey, :filename, :contentType, 'pending')
       RETURNING ${columns}`,
      { ...media, id: uuid(media.id) },
    );
    return toMedia(row as MediaRow);
  }

  async findById(id: string): Promise<MediaObject | undefined> {
    const row = await this.db.first<MediaRow>(`SELECT ${columns} FROM media_objects WHERE id = :id`, { id: uuid(id) });
    return row && toMedia(row);
  }

  /** A rejected row stays rejected: an object that arrives later under its key is not trusted. */
  async markStored(objectKey: string, sizeBytes: number, checksum: string): Promise<MediaObject | undefined> {
    const row = await this.db.first<MediaRow>(
      `UPDATE media_objects SET status = 'stored', size_bytes = :sizeBytes, checksum = :checksum, stored_at = now()
       WHERE object_key = :objectKey AND status <> 'rejected'
       RETURNING ${columns}`,
      { objectKey, sizeBytes, checksum },
    );
    return row && toMedia(row);
  }

  /**
   * Stores a pending upload exactly once. Holds the row's lock while `store` runs (it copies the
   * upload into place), then records where the file is and what it holds. Answers undefined, and
   * runs nothing, when the row is no longer pending: another event stored or rejected it first.
   * A failing `store` rolls back, so the row stays pending and the event can be retried.
   */
  async storeOnce(id: string, store: (media: MediaObject) => Promise<StoredFile>): Promise<MediaObject | undefined> {
    return this.db.transaction(async (tx) => {
      const pending = await tx.first<MediaRow>(
        `SELECT ${columns} FROM media_objects WHERE id = :id AND status = 'pending' FOR UPDATE`,
        { id: uuid(id) },
      );
      if (!pending) return undefined;
      const file = await store(toMedia(pending));
      const row = await tx.first<MediaRow>(
        `UPDATE media_objects SET status = 'stored', object_key = :objectKey, size_bytes = :sizeBytes, checksum = :checksum, stored_at = now()
         WHERE id = :id
         RETURNING ${columns}`,
        { id: uuid(id), objectKey: file.objectKey, sizeBytes: file.sizeBytes, checksum: file.checksum },
      );
      return toMedia(row as MediaRow);
    });
  }

  async markRejected(objectKey: string, sizeBytes: number): Promise<MediaObject | undefined> {
    const row = await this.db.first<MediaRow>(
      `UPDATE media_objects SET status = 'rejected', size_bytes = :sizeBytes, checksum = NULL, stored_at = NULL
       WHERE object_key = :objectKey
       RETURNING ${columns}`,
      { objectKey, sizeBytes },
    );
    return row && toMedia(row);
  }

  /** Newest first; `owner` or `status` narrow the list when given. */
  async list(filter: { owner?: string; status?: MediaStatus; limit: number }): Promise<MediaObject[]> {
    const rows = await this.db.rows<MediaRow>(
      `SELECT ${columns} FROM media_objects
       WHERE (CAST(:owner AS text) IS NULL OR owner = :owner) AND (CAST(:status AS text) IS NULL OR status = :status)
       ORDER BY created_at DESC, id LIMIT :limit`,
      { owner: filter.owner ?? null, status: filter.status ?? null, limit: filter.limit },
    );
    return rows.map(toMedia);
  }

  async delete(id: string): Promise<boolean> {
    const { updated } = await this.db.query("DELETE FROM media_objects WHERE id = :id", { id: uuid(id) });
    return updated > 0;
  }
}
