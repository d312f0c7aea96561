/**
 * Runs in a worker thread: moves the WAL into the database file with PASSIVE checkpoints on its
 * own connection. A checkpoint fsyncs, and node:sqlite is synchronous, so doing it on the main
 * thread would stall every connection for as long as the disk takes.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new DatabaseSync(file);
db.exec('PRAGMA busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next round will do it
  }
}, everyMs);

parentPort?.on('message', (message: string) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.postMessage('stopped');
});
