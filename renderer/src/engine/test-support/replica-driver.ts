/** Starts and talks to a replica process (see replica-process.ts). */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReplicaCommand } from './replica-process.ts';

export class ReplicaDriver {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(storageFile: string) {
    this.child = fork(path.join(import.meta.dirname, 'replica-process.ts'), [], {
      execPath: process.execPath,
      execArgv: ['--experimental-webstorage', `--localstorage-file=${storageFile}`, '--disable-warning=ExperimentalWarning'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) resolve();
        if (message.id === undefined) return;
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.result);
      });
      this.child.once('exit', (code) => {
        for (const waiter of this.waiting.values()) waiter.reject(new Error(`replica exited with ${code}`));
        this.waiting.clear();
      });
    });
  }

  send<T = unknown>(command: ReplicaCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.send({ type: 'stop' });
    await exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
