import { DEAD_LETTER_HEADER, deadLetterTopicOf } from '@pcp/contracts';
import type { DocumentStore } from '@pcp/documents';
import type { IncomingRecord } from '../integration-message';
import type { IntegrationEventPublisher } from '../publisher';

export type DeadLetterKind = 'invalid' | 'failed';

export interface DeadLetter {
  record: IncomingRecord;
  consumer: string;
  kind: DeadLetterKind;
  error: string;
  attempts: number;
}

/** Where poison messages are parked, with the error, so the consumer can go on. */
export interface DeadLetterSink {
  park(letter: DeadLetter): Promise<void>;
}

export function deadLetterHeaders(letter: DeadLetter): Record<string, string> {
  return {
    ...letter.record.headers,
    [DEAD_LETTER_HEADER.error]: letter.error.slice(0, 4000),
    [DEAD_LETTER_HEADER.kind]: letter.kind,
    [DEAD_LETTER_HEADER.consumer]: letter.consumer,
    [DEAD_LETTER_HEADER.attempts]: String(letter.attempts),
    [DEAD_LETTER_HEADER.topic]: letter.record.topic,
    [DEAD_LETTER_HEADER.partition]: String(letter.record.partition),
    [DEAD_LETTER_HEADER.offset]: letter.record.offset,
    [DEAD_LETTER_HEADER.at]: new Date().toISOString(),
  };
}

/** Parks on `<topic>.dlq`: the original key and value, the error in headers. */
export class TopicDeadLetterSink implements DeadLetterSink {
  constructor(private readonly publisher: IntegrationEventPublisher) {}

  async park(letter: DeadLetter): Promise<void> {
    await this.publisher.publish([
      {
        topic: deadLetterTopicOf(letter.record.topic),
        key: letter.record.key ?? '',
        value: letter.record.value ?? '',
        headers: deadLetterHeaders(letter),
      },
    ]);
  }
}

export const DEAD_LETTERS_COLLECTION = 'dead_letters';

/** Embedded mode has no broker: parked messages become documents beside the read models. */
export class DocumentDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly documents: DocumentStore,
    private readonly collectionName = DEAD_LETTERS_COLLECTION,
  ) {}

  async park(letter: DeadLetter): Promise<void> {
    const { record } = letter;
    await this.documents
      .collection(this.collectionName)
      .upsert(`${letter.consumer}:${record.topic}:${record.offset}`, {
        consumer: letter.consumer,
        key: record.key,
        value: record.value,
        headers: deadLetterHeaders(letter),
      });
  }
}
