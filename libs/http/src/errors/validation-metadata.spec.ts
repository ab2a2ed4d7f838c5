import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  MinLength,
  ValidateNested,
  getMetadataStorage,
} from 'class-validator';
import { RequestValidationError, createValidationPipe } from './validation';
import { rememberValidationMetadata } from './validation-metadata';

class Place {
  @IsString()
  region!: string;
}

class Proposal {
  @IsString()
  @MinLength(3)
  title!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Place)
  place?: Place;
}

class CostedProposal extends Proposal {
  @IsInt()
  costEur!: number;
}

const storage = getMetadataStorage();
const lookup = (target: object, groups?: string[]) =>
  storage.getTargetValidationMetadatas(target as never, '', false, false, groups);
const properties = (target: object, groups?: string[]) =>
  [...new Set(lookup(target, groups).map((m) => m.propertyName))].sort();
const body = { type: 'body' as const, data: '' };

describe('rememberValidationMetadata', () => {
  beforeAll(() => rememberValidationMetadata());

  it('gives the same metadata as before, inherited members included, built once per class', () => {
    expect(properties(CostedProposal)).toEqual(['costEur', 'place', 'title']);
    expect(lookup(CostedProposal)).toBe(lookup(CostedProposal));
    expect(properties(Proposal)).toEqual(['place', 'title']);
  });

  it('sees a class decorated after the first lookup, and members added to a known class', () => {
    class Draft {
      @IsString()
      title!: string;
    }
    expect(properties(Draft)).toEqual(['title']);
    class ScoredDraft extends Draft {
      @IsInt()
      score!: number;
    }
    expect(properties(ScoredDraft)).toEqual(['score', 'title']);
    // a decorator applied by hand, as mapped types do after a class is defined
    IsString()(Draft.prototype, 'summary');
    expect(properties(Draft)).toEqual(['summary', 'title']);
    expect(properties(ScoredDraft)).toEqual(['score', 'summary', 'title']);
  });

  it('remembers the lookups of nested objects, which name the parent class as their schema', () => {
    const nested = (schema: string) =>
      storage.getTargetValidationMetadatas(Place, schema, false, false, undefined);
    expect(nested('Proposal')).toBe(nested('Proposal'));
    expect(nested('Proposal').map((m) => m.propertyName)).toEqual(['region']);
    expect(nested('CostedProposal')).toEqual(nested('Proposal'));
    IsOptional()(Place.prototype, 'region');
    expect(nested('Proposal')).toHaveLength(2);
  });

  it('leaves lookups by group to class-validator, unremembered', () => {
    class Grouped {
      @IsString({ groups: ['draft'] })
      note!: string;

      @IsInt()
      count!: number;
    }
    expect(properties(Grouped, ['draft'])).toEqual(['note']);
    expect(lookup(Grouped, ['draft'])).not.toBe(lookup(Grouped, ['draft']));
    expect(properties(Grouped)).toEqual(['count', 'note']);
  });

  it('installs once however often it is called', () => {
    const installed = storage.getTargetValidationMetadatas;
    rememberValidationMetadata();
    createValidationPipe();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });

  it('keeps the pipe refusing bad and unknown fields, nested ones included, on every request', async () => {
    const pipe = createValidationPipe();
    const metatype = { ...body, metatype: CostedProposal };
    const valid = { title: 'Sepsis alert', costEur: 10, place: { region: 'ES11' } };
    for (let i = 0; i < 3; i += 1) {
      await expect(pipe.transform({ ...valid }, metatype)).resolves.toBeInstanceOf(CostedProposal);
      const refused = await pipe
        .transform({ ...valid, title: 'x', place: { region: 7 }, extra: true }, metatype)
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RequestValidationError);
      expect((refused as RequestValidationError).fields.map((f) => f.field).sort()).toEqual([
        'extra',
        'place.region',
        'title',
      ]);
    }
  });
});
