/**
 * Runs in a worker thread: moves the WAL into the database file on its own connection. A
 * checkpoint fsyncs, and node:sqlite is synchronous, so doing it on the main thread would stall
 * every connection for as long as the disk takes.
 *
 * PASSIVE checkpoints never block the writer, but they cannot shrink the WAL while writes go on:
 * SQLite only starts the WAL over when a write transaction begins with every frame already copied
 * back, and under steady writes new frames always arrive during the copy (the bench's WAL grew to
 * 300 MiB). A RESTART checkpoint would force it, but holds the write lock through its fsyncs (up
 * to 50 ms measured), which would block the main thread. So: every `checkEveryMs` the worker
 * reads the WAL's frame counts from the wal-index header (a 100-byte read of the -shm file), and
 * runs a PASSIVE pass when an eighth of `walLimitBytes` waits to be copied (else once per
 * `everyMs`: an idle or slow server checkpoints as rarely as before). Once the WAL holds more than
 * `walLimitBytes`, the store holds its group-committed writes back for a moment (the event loop
 * runs on; the writes wait in their queues) while one more PASSIVE pass copies the rest. The
 * first write after that starts the WAL over, and the main connection's `journal_size_limit`
 * trims the file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointerOptions {
  readonly file: string;
  /** A PASSIVE checkpoint at least this often. */
  readonly everyMs: number;
  /** A WAL holding more than this is started over (see above). */
  readonly walLimitBytes: number;
  /** How often the WAL's frame counts are read (and a PASSIVE pass run if enough waits). */
  readonly checkEveryMs: number;
}

/** Worker → store: started (`ready`), hold writes back (`drain`), the WAL is copied back (`drained`). Store → worker: `held`, `stop`. */
export type CheckpointerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'drain' }
  | {
      readonly type: 'drained';
      /** Whether every frame was copied back: the next write starts the WAL over. */
      readonly complete: boolean;
      /** What the WAL held when it passed the limit. */
      readonly walBytes: number;
    }
  | { readonly type: 'stopped' };

const { file, everyMs, walLimitBytes, checkEveryMs } = workerData as CheckpointerOptions;
const db = new DatabaseSync(file);
db.exec('PRAGMA busy_timeout = 1000');
/** A WAL frame: a 24-byte header and a page. */
const frameBytes = 24 + Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);

/** A PASSIVE checkpoint: the WAL's size in bytes (its frames) and whether all of it is in the database now. */
function checkpoint(): { walBytes: number; complete: boolean } {
  try {
    const row = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number; log: number; checkpointed: number } | undefined;
    if (row === undefined) return { walBytes: 0, complete: false };
    return { walBytes: row.log * frameBytes, complete: row.busy === 0 && row.log === row.checkpointed };
  } catch {
    // busy: the next round will do it
    return { walBytes: 0, complete: false };
  }
}

/**
 * The WAL's frames and how many of them are in the database file, from the wal-index header
 * (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, in the host's
 * byte order). Read without a lock: a hint for when to checkpoint, never for what is durable.
 */
const header = Buffer.alloc(100);
let shm: number | null = null;
function walFrames(): { readonly frames: number; readonly copied: number } | null {
  try {
    shm ??= openSync(`${file}-shm`, 'r');
    if (readSync(shm, header, 0, header.length, 0) < header.length) return null;
    return endianness() === 'LE' ? { frames: header.readUInt32LE(16), copied: header.readUInt32LE(96) } : { frames: header.readUInt32BE(16), copied: header.readUInt32BE(96) };
  } catch {
    return null;
  }
}

let lastPassive = Date.now();
let draining: { readonly walBytes: number; readonly askedAt: number } | null = null;
/** The WAL's size after the last drain that copied all of it: unchanged means no write since, nothing to do. */
let drainedAt = -1;
/** A busy main thread may answer late; meanwhile PASSIVE passes go on, and the ask is repeated. */
const DRAIN_ASK_AGAIN_MS = 1000;

const timer = setInterval(() => {
  const seen = walFrames();
  const due = Date.now() - lastPassive >= everyMs;
  // Unknown (no -shm to read): checkpoint every round.
  const behind = seen === null || (seen.frames - seen.copied) * frameBytes >= walLimitBytes / 8;
  const over = seen !== null && seen.frames * frameBytes > walLimitBytes;
  if (!due && !behind && !over) return;
  // "Complete" here does not mean the next write starts the WAL over: a write transaction that
  // began during this pass commits more frames after it. Only a pass while writes are held does.
  const { walBytes } = checkpoint();
  lastPassive = Date.now();
  if (draining && Date.now() - draining.askedAt < DRAIN_ASK_AGAIN_MS) return;
  if (walBytes > walLimitBytes && walBytes !== drainedAt) {
    draining = { walBytes, askedAt: Date.now() };
    post({ type: 'drain' });
  }
}, Math.min(everyMs, checkEveryMs));

function post(message: CheckpointerMessage): void {
  parentPort?.postMessage(message);
}

parentPort?.on('message', (message: string) => {
  if (message === 'held' && draining) {
    // No group-committed write is running now: this pass catches up with the writer.
    const { complete, walBytes } = checkpoint();
    drainedAt = complete ? walBytes : -1;
    post({ type: 'drained', complete, walBytes: draining.walBytes });
    draining = null;
    return;
  }
  if (message !== 'stop') return;
  clearInterval(timer);
  if (shm !== null) closeSync(shm);
  db.close();
  post({ type: 'stopped' });
});

post({ type: 'ready' });
