import { ANY, type Actor, type EventStore } from '../store/event-store';
import type { PersonalDataVault } from './personal-data-vault';

export const PERSONAL_DATA_ERASED = 'PersonalDataErased';

/** The audit record of an erasure: who erased whose data, when and why; never the data itself. */
export interface PersonalDataErasedData {
  personId: string;
  /** Keys destroyed by this erasure; 0 when the person had none left. */
  keysErased: number;
  reason: string;
}

export const personStream = (personId: string): string => `platform-person-${personId}`;

export interface ErasureRequest {
  personId: string;
  reason: string;
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
}

export interface ErasureOutcome {
  personId: string;
  keysErased: number;
  erasedAt: string;
  /** The audit event in the person's stream. */
  eventId: string;
  streamId: string;
  revision: number;
}

/**
 * Destroys a person's keys, then records the erasure. The key goes first: if recording
 * fails the data is already unreadable and a retry records it (finding no key left).
 */
export async function erasePersonalData(
  vault: PersonalDataVault,
  store: EventStore,
  request: ErasureRequest,
): Promise<ErasureOutcome> {
  const keysErased = await vault.erase(request.personId);
  const streamId = personStream(request.personId);
  const data: PersonalDataErasedData = {
    personId: request.personId,
    keysErased,
    reason: request.reason,
  };
  const result = await store.append(
    streamId,
    [
      {
        type: PERSONAL_DATA_ERASED,
        data,
        actor: request.actor,
        reason: request.reason,
        correlationId: request.correlationId,
        causationId: request.causationId ?? null,
      },
    ],
    ANY,
  );
  const [event] = result.appended;
  return {
    personId: request.personId,
    keysErased,
    erasedAt: event?.recordedAt ?? new Date().toISOString(),
    eventId: event?.id ?? '',
    streamId,
    revision: Number(result.lastRevision),
  };
}
