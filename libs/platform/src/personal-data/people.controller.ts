import {
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Inject,
  Module,
  Param,
  Post,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { AnyRole, CurrentUser, type AuthenticatedUser } from '@pcp/auth';
import {
  EVENT_STORE,
  PERSONAL_DATA_VAULT,
  erasePersonalData,
  type CommandMetadata,
  type EventStore,
  type PersonalDataVault,
} from '@pcp/eventsourcing';
import {
  ApiErrors,
  CommandContext,
  IdempotencyKeyHeader,
  IsNotBlank,
  RequestValidationError,
} from '@pcp/http';

const REASON_LIMIT = 2000;
const PERSON_ID_LIMIT = 200;
// A token subject: printable text, without control characters or unpaired surrogates.
const PERSON_ID = /^[^\p{Cc}\p{Cs}]+$/u;

export class ErasureDto {
  @ApiProperty({
    description:
      'Why the data is erased (e.g. the request of the person under GDPR Art. 17). Recorded in the ' +
      'audit event: write no personal data here.',
    example: 'Erasure request of 2026-11-20, ticket DPO-4411',
    maxLength: REASON_LIMIT,
  })
  @IsString()
  @IsNotBlank()
  @MaxLength(REASON_LIMIT)
  reason!: string;
}

export class ErasureResponse {
  @ApiProperty({ example: 'user-ana' })
  personId!: string;
  @ApiProperty({ description: 'Keys destroyed now; 0 when the data was already erased.' })
  keysErased!: number;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' })
  erasedAt!: string;
  @ApiProperty({ description: 'The PersonalDataErased audit event.' })
  eventId!: string;
  @ApiProperty({ example: 'platform-person-user-ana' })
  streamId!: string;
  @ApiProperty()
  revision!: number;
}

@ApiTags('people')
@Controller('people')
export class PeopleController {
  constructor(
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post(':personId/erasure')
  @AnyRole()
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase a person's personal data (crypto-shredding)",
    description:
      'Destroys the key that sealed every name and e-mail recorded about the person (contact ' +
      'persons of responses and bids, evaluator names). Events, hashes and anchors stay as they ' +
      'were; everywhere the data was shown it reads `{ personId, erased: true }` from now on. ' +
      'Allowed to an admin for anyone, and to a user for themself (personId = the token subject). ' +
      'Records a PersonalDataErased audit event (who, whose, when, why). Repeating it is harmless.',
  })
  @ApiParam({ name: 'personId', description: 'The user id (token subject) of the person.' })
  @IdempotencyKeyHeader()
  @ApiOkResponse({ type: ErasureResponse })
  @ApiErrors(400, 401, 403)
  async erase(
    @Param('personId') personId: string,
    @Body() body: ErasureDto,
    @CurrentUser() user: AuthenticatedUser,
    @CommandContext() meta: CommandMetadata,
  ): Promise<ErasureResponse> {
    if (personId.trim() === '' || personId.length > PERSON_ID_LIMIT || !PERSON_ID.test(personId)) {
      throw new RequestValidationError([
        {
          field: 'personId',
          constraints: {
            isPersonId: `a person id is a user id of 1 to ${PERSON_ID_LIMIT} printable characters`,
          },
        },
      ]);
    }
    if (!user.roles.includes('admin') && user.userId !== personId) {
      throw new ForbiddenException(
        "A person's data is erased by an admin, or by the person themself",
      );
    }
    return erasePersonalData(this.vault, this.store, {
      personId,
      reason: body.reason,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
    });
  }
}

/** The erasure route; the vault comes from PersonalDataModule. */
@Module({ controllers: [PeopleController] })
export class PeopleModule {}
