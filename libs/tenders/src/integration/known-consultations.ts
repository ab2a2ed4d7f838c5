import { Inject, Injectable } from '@nestjs/common';
import {
  ConsultationOpenedEvent,
  ConsultationResponseSubmittedEvent,
  ProcurementRouteDecidedEvent,
  type ProcurementRoute,
} from '@pcp/contracts';
import { DOCUMENT_STORE, ProjectionView, type DocumentStore } from '@pcp/documents';
import {
  on,
  type HandlerBinding,
  type IntegrationConsumer,
  type IntegrationMessage,
} from '@pcp/messaging';
import type { ConsultationFacts, RespondentInnovation } from '../domain';
import { TENDER_SETTINGS, type TenderSettings } from '../application/settings';

/** What tenders knows of consultations: its own copy, fed by `pcp.consultations.events`. */
export const KNOWN_CONSULTATIONS = 'tenders_known_consultations';

type KnownConsultation = {
  id: string;
  org: string;
  regions: string[];
  route: ProcurementRoute | null;
  /** The supplier organisations' innovations, one per organisation (the latest response). */
  innovations: RespondentInnovation[];
};

/**
 * Learns consultations, their route decisions and the respondents' innovations. Idempotent:
 * each document remembers the revision of the consultation's stream it reflects.
 */
@Injectable()
export class ConsultationsEventsConsumer implements IntegrationConsumer {
  readonly name = 'tenders.consultations';
  readonly handlers: HandlerBinding[];

  constructor(@Inject(DOCUMENT_STORE) private readonly documents: DocumentStore) {
    this.handlers = [
      on(ConsultationOpenedEvent, (m) =>
        this.consultation(m, (known) => ({
          id: m.data.consultationId,
          org: m.data.org,
          regions: [...m.data.regions],
          route: known?.route ?? null,
          innovations: known?.innovations ?? [],
        })),
      ),
      on(ConsultationResponseSubmittedEvent, (m) =>
        this.consultation(m, (known) =>
          known
            ? {
                ...known,
                innovations: [
                  ...known.innovations.filter((i) => i.supplierOrg !== m.data.supplierOrg),
                  { innovationId: m.data.innovationId, supplierOrg: m.data.supplierOrg },
                ],
              }
            : undefined,
        ),
      ),
      on(ProcurementRouteDecidedEvent, (m) =>
        this.consultation(m, (known) => ({
          id: m.data.consultationId,
          org: m.data.org,
          regions: known?.regions ?? [],
          route: m.data.route,
          innovations: known?.innovations ?? [],
        })),
      ),
    ];
  }

  private async consultation(
    message: IntegrationMessage<{ consultationId: string }>,
    change: (known: KnownConsultation | null) => KnownConsultation | undefined,
  ): Promise<void> {
    const view = new ProjectionView(this.documents, {
      id: message.id,
      type: message.type,
      streamId: message.subject,
      revision: message.streamRevision,
      occurredAt: message.time,
      data: message.data,
    });
    await view.update<KnownConsultation>(KNOWN_CONSULTATIONS, message.data.consultationId, change);
  }
}

/**
 * Looks consultations up in what tenders has learned. The route decision arrives a moment
 * after the consultations context records it, so a consultation unknown or without a route
 * is looked up again every `consistencyPollMs`, up to `consistencyWaitMs`.
 */
@Injectable()
export class KnownConsultations {
  constructor(
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(TENDER_SETTINGS) private readonly settings: TenderSettings,
  ) {}

  async routed(id: string): Promise<ConsultationFacts | null> {
    const deadline = Date.now() + this.settings.consistencyWaitMs;
    let known = await this.read(id);
    while ((known === null || known.route === null) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.settings.consistencyPollMs));
      known = await this.read(id);
    }
    if (!known) return null;
    return { consultationId: id, org: known.org, regions: [...known.regions], route: known.route };
  }

  async innovations(id: string | null): Promise<RespondentInnovation[]> {
    if (id === null) return [];
    return (await this.read(id))?.innovations ?? [];
  }

  private async read(id: string): Promise<KnownConsultation | null> {
    const doc = await this.documents.collection<KnownConsultation>(KNOWN_CONSULTATIONS).get(id);
    return doc?.data ?? null;
  }
}
