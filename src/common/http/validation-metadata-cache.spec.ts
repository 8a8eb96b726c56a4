import { IsInt, IsString, MaxLength, Min, registerDecorator, validate } from 'class-validator';
import { getMetadataStorage } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  count!: number;
}

class Later {
  @IsString()
  title!: string;
}

const messages = async (value: object) =>
  (await validate(value, { whitelist: true, forbidNonWhitelisted: true })).flatMap((e) =>
    Object.keys(e.constraints ?? {}).map((c) => `${e.property}:${c}`),
  );

describe('rememberValidationMetadata', () => {
  beforeAll(() => rememberValidationMetadata());

  it('answers the same rules as before, inherited ones included, and remembers them', async () => {
    const child = Object.assign(new Child(), { name: 7, count: 0, extra: 'x' });
    expect((await messages(child)).sort()).toEqual(
      ['count:min', 'extra:whitelistValidation', 'name:isString'].sort(),
    );
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(first);
    expect(first.map((m) => m.propertyName).sort()).toEqual(['count', 'count', 'name']);
    // Other options are other answers.
    expect(storage.getTargetValidationMetadatas(Child, '', true, false)).not.toBe(first);
    expect(await messages(Object.assign(new Child(), { name: 'a', count: 2 }))).toEqual([]);
  });

  it('forgets what it remembered when a rule is registered later', async () => {
    expect(await messages(Object.assign(new Later(), { title: 'x'.repeat(20) }))).toEqual([]);
    MaxLength(10)(Later.prototype, 'title');
    expect(await messages(Object.assign(new Later(), { title: 'x'.repeat(20) }))).toEqual([
      'title:maxLength',
    ]);
    registerDecorator({
      name: 'notShouting',
      target: Later,
      propertyName: 'title',
      validator: { validate: (v: unknown) => typeof v === 'string' && v !== v.toUpperCase() },
    });
    expect(await messages(Object.assign(new Later(), { title: 'LOUD' }))).toEqual([
      'title:notShouting',
    ]);
  });
});
