import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DOCUMENT_STORE, type DocumentStore, type Page } from '@pcp/documents';
import {
  CommandHandler,
  ConcurrencyError,
  EVENT_STORE,
  NotFoundError,
  NO_STREAM,
  PERSONAL_DATA_VAULT,
  type CommandMetadata,
  type CommandResult,
  type EventStore,
  type PersonalDataVault,
} from '@pcp/eventsourcing';
import {
  consultationDecider,
  type ConsultationCommand,
  type ConsultationEvent,
  type ConsultationState,
  type SupplierFacts,
} from '../domain';
import { KnownSubjects } from '../integration/known-subjects';
import { CONSULTATIONS_COLLECTION } from '../read-models/consultations.projection';
import { consultationViewOf, type ConsultationView } from '../read-models/consultation-view';
import { CLOCK, type Clock } from './settings';
import { consultationStream } from './streams';

export interface OpenConsultationInput {
  needId?: string;
  buyersGroupId?: string;
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  questions: string[];
  stateOfTheArtTrl?: number;
}

/** A command on an existing consultation, without what the server supplies (actor, clock, ids). */
type Change<T extends ConsultationCommand['type']> = Omit<
  Extract<ConsultationCommand, { type: T }>,
  'type' | 'actorOrg' | 'now' | 'responseId' | 'innovationId' | 'questionId'
>;

/** A contact person as the supplier gives it; stored sealed with the submitting user's key. */
export interface ContactPerson {
  name: string;
  email: string;
}

export interface CommandOutcome {
  view: ConsultationView;
  revision: number;
}

/** Runs the consultation commands of procurers and suppliers. */
@Injectable()
export class ConsultationCommands {
  private readonly consultations: CommandHandler<
    ConsultationCommand,
    ConsultationState,
    ConsultationEvent
  >;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly known: KnownSubjects,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
  ) {
    this.consultations = new CommandHandler(store, consultationDecider, {
      now: () => clock.now(),
    });
  }

  /** Opens on a need or buyers group that consultations has heard of from the needs context. */
  async open(input: OpenConsultationInput, metadata: CommandMetadata): Promise<ConsultationView> {
    const consultationId = randomUUID();
    const need = input.needId !== undefined ? await this.known.need(input.needId) : undefined;
    const buyersGroup =
      input.buyersGroupId !== undefined && input.needId === undefined
        ? await this.known.buyersGroup(input.buyersGroupId)
        : undefined;
    const result = await this.consultations.handle(
      consultationStream(consultationId),
      {
        type: 'OpenConsultation',
        consultationId,
        actorOrg: actorOrgOf(metadata),
        needId: input.needId ?? null,
        buyersGroupId: input.buyersGroupId ?? null,
        need,
        buyersGroup,
        title: input.title,
        description: input.description,
        opensAt: input.opensAt,
        closesAt: input.closesAt,
        questions: input.questions,
        stateOfTheArtTrl: input.stateOfTheArtTrl ?? null,
      },
      metadata,
      NO_STREAM,
    );
    return this.viewOf(consultationId, result);
  }

  publish(id: string, metadata: CommandMetadata, expected?: bigint): Promise<ConsultationView> {
    return this.run(
      id,
      { type: 'PublishPriorInformationNotice', now: this.clock.now() },
      metadata,
      expected,
    ).then((o) => o.view);
  }

  /** A supplier's response; the organisation's innovation keeps the id of its first response. */
  async respond(
    id: string,
    input: Omit<Change<'SubmitConsultationResponse'>, 'contact'> & {
      supplier: SupplierFacts;
      contact?: ContactPerson | null;
    },
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ responseId: string; view: ConsultationView }> {
    const responseId = randomUUID();
    // The contact person is the user who responds: their own key seals it, so they (or an admin) can erase it.
    const contact = input.contact
      ? await this.vault.seal(metadata.actor.userId, {
          name: input.contact.name,
          email: input.contact.email,
        })
      : null;
    const { view } = await this.run(
      id,
      {
        type: 'SubmitConsultationResponse',
        ...input,
        contact,
        responseId,
        innovationId: await this.innovationOf(id, metadata),
        now: this.clock.now(),
      },
      metadata,
      expected,
    );
    return { responseId, view };
  }

  async ask(
    id: string,
    text: string,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<{ questionId: string; view: ConsultationView }> {
    const questionId = randomUUID();
    const { view } = await this.run(
      id,
      { type: 'AskClarification', questionId, text, now: this.clock.now() },
      metadata,
      expected,
    );
    return { questionId, view };
  }

  async answer(
    id: string,
    questionId: string,
    text: string,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<ConsultationView> {
    return (
      await this.run(id, { type: 'AnswerClarification', questionId, text }, metadata, expected)
    ).view;
  }

  async close(id: string, report: string, metadata: CommandMetadata, expected?: bigint) {
    return (await this.run(id, { type: 'CloseConsultation', report }, metadata, expected)).view;
  }

  async decideRoute(
    id: string,
    input: Change<'DecideProcurementRoute'>,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<ConsultationView> {
    return (await this.run(id, { type: 'DecideProcurementRoute', ...input }, metadata, expected))
      .view;
  }

  private async run(
    id: string,
    command: DistributiveOmit<ConsultationCommand, 'actorOrg'>,
    metadata: CommandMetadata,
    expected?: bigint,
  ): Promise<CommandOutcome> {
    const result = await this.consultations
      .handle(
        consultationStream(id),
        { ...command, actorOrg: actorOrgOf(metadata) } as ConsultationCommand,
        metadata,
        expected,
      )
      .catch((error: unknown) => {
        // An If-Match on a consultation that does not exist is about an unknown id.
        if (error instanceof ConcurrencyError && error.actual === null) {
          throw new NotFoundError(`There is no consultation with the id ${id}`);
        }
        throw error;
      });
    const view = await this.viewOf(id, result);
    return { view, revision: view.revision };
  }

  /** The consultation right after this command, even when others have changed it since. */
  /**
   * An innovation is one supplier's solution to one need (or buyers group): a supplier that
   * answered an earlier consultation on the same subject keeps that innovation's id; otherwise
   * the id is born here. (A later response within this consultation keeps its own live one.)
   */
  private async innovationOf(id: string, metadata: CommandMetadata): Promise<string> {
    const { state } = await this.consultations.load(consultationStream(id));
    const subject: Partial<Pick<ConsultationView, 'needId' | 'buyersGroupId'>> | null =
      state.needId !== null
        ? { needId: state.needId }
        : state.buyersGroupId !== null
          ? { buyersGroupId: state.buyersGroupId }
          : null;
    const org = metadata.actor.org;
    if (subject && org) {
      const earlier = this.documents.collection<ConsultationView>(CONSULTATIONS_COLLECTION);
      let cursor: string | null = null;
      do {
        const page: Page<ConsultationView> = await earlier.find({
          filter: subject,
          limit: 500,
          cursor,
        });
        for (const { data } of page.items) {
          const response = data.responses.find((r) => r.supplierOrg === org);
          if (data.id !== id && response) return response.innovationId;
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
    }
    return randomUUID();
  }

  private async viewOf(
    id: string,
    result: CommandResult<ConsultationState>,
  ): Promise<ConsultationView> {
    const view = consultationViewOf(result.stream);
    if (!view) throw new Error(`consultation ${id} has no event at revision ${result.revision}`);
    return this.vault.reveal(view);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function actorOrgOf(metadata: CommandMetadata): string {
  if (!metadata.actor.org) throw new Error('a consultation command needs the actor organisation');
  return metadata.actor.org;
}
