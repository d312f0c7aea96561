/** The LLM spend ledger in SQL, shared by the server's store and the Electron main process. */
export * from './db.ts';
export * from './ledger.ts';
export * from './schema.ts';
