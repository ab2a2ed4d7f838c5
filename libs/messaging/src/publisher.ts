import type { OutgoingRecord } from './integration-message';

/**
 * Sends records to the broker. Resolves only once the broker acknowledged every record
 * (all in-sync replicas); rejects otherwise, and the caller retries.
 */
export interface IntegrationEventPublisher {
  publish(records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}
