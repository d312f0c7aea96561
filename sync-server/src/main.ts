/** Entry point: `npm run server -- [flags]`. */
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  let result;
  try {
    result = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`plaza: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (result.kind === 'help') {
    process.stdout.write(result.text);
    return;
  }
  const server = await startServer(result.config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`plaza: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
