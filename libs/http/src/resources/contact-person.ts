import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { IsNotBlank } from './validators';

const NAME_LIMIT = 200;
const EMAIL_LIMIT = 254;

/** A sender's own contact details: personal data, stored sealed and erasable. */
export class ContactPersonDto {
  @ApiProperty({ example: 'Ana Pérez', maxLength: NAME_LIMIT })
  @IsString()
  @IsNotBlank()
  @MaxLength(NAME_LIMIT)
  name!: string;

  @ApiProperty({ example: 'ana.perez@medtech.example', format: 'email', maxLength: EMAIL_LIMIT })
  @IsString()
  @MaxLength(EMAIL_LIMIT)
  @IsEmail()
  email!: string;
}

/** Contact details as read back: gone, but for whose they were, once the person is erased. */
export class ContactPersonResponse {
  @ApiProperty({
    description:
      'The user whose data this is; erasing them (POST /people/{personId}/erasure) erases it.',
    example: 'u-ana',
  })
  personId!: string;
  @ApiProperty({ description: 'True once the person was erased: name and e-mail are gone.' })
  erased!: boolean;
  @ApiProperty({ required: false, example: 'Ana Pérez', description: 'Absent once erased.' })
  name?: string;
  @ApiProperty({
    required: false,
    example: 'ana.perez@medtech.example',
    description: 'Absent once erased.',
  })
  email?: string;
}
