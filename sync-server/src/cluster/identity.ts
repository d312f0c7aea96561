/** A server process's name in the cluster: host, pid and a random part (a restarted pid is a new process). */
import { randomBytes } from 'node:crypto';
import os from 'node:os';

export function newProcessId(): string {
  return `${os.hostname().slice(0, 32)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
