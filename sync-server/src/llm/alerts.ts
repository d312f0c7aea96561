/**
 * Where alerts go once the ledger has recorded them: a structured log line, the metrics, and an
 * optional webhook (best effort: a bounded number in flight, a timeout, never awaited by a call).
 * The inbox banner and the admin dashboard read the ledger's alert rows.
 */
import type { LedgerAlert } from '../../../shared/llm-ledger/ledger.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

const MAX_WEBHOOKS_IN_FLIGHT = 32;
const WEBHOOK_TIMEOUT_MS = 5_000;

export interface AlertDispatcherOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly webhookUrl?: string;
  readonly fetch?: typeof fetch;
}

export class AlertDispatcher {
  private readonly options: AlertDispatcherOptions;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: AlertDispatcherOptions) {
    this.options = options;
  }

  dispatch(alerts: readonly LedgerAlert[]): void {
    for (const alert of alerts) {
      this.options.metrics.llmAlerts.inc({ kind: alert.code === 'usage-overrun' ? 'usage-overrun' : alert.kind, threshold: alert.threshold === null ? 'none' : String(alert.threshold) });
      this.options.logger.warn({ llmAlert: alert }, alert.code === 'usage-overrun' ? 'llm usage above its reservation' : 'llm budget alert');
      this.post(alert);
    }
  }

  private post(alert: LedgerAlert): void {
    const url = this.options.webhookUrl;
    if (!url) return;
    if (this.inFlight >= MAX_WEBHOOKS_IN_FLIGHT) {
      this.options.logger.warn({ alertId: alert.id }, 'llm alert webhook skipped: too many in flight');
      return;
    }
    this.inFlight += 1;
    const send = this.options.fetch ?? fetch;
    const job = send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'plaza', type: 'llm-alert', alert }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
      .then((response) => {
        if (!response.ok) this.options.logger.warn({ alertId: alert.id, status: response.status }, 'llm alert webhook answered with an error');
        return response.body?.cancel();
      })
      .catch((error: unknown) => this.options.logger.warn({ alertId: alert.id, err: error }, 'llm alert webhook failed'))
      .finally(() => {
        this.inFlight -= 1;
        this.pending.delete(job);
      });
    this.pending.add(job);
  }

  /** Waits for the webhooks in flight (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
